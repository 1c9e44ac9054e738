// The set-up every component test shares: before each test a fresh store and a fake API behind a
// running bridge (its first requests answered), after it the bridge stopped and the DOM unmounted.
import { act, cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { startBridge } from '../bridge.js';
import { resetChatStore } from '../store/chat-store.js';
import { fakeApi, type FakeApi } from './fake-api.js';

/**
 * Registers the per-test set-up in the calling file. `use` receives each test's fake API before the
 * bridge starts, so a test file can keep it in a variable or script its first answers.
 */
export function withFakeBridge(use: (fake: FakeApi) => void): void {
  let stop: () => void = () => {};
  beforeEach(async () => {
    resetChatStore();
    const fake = fakeApi();
    use(fake);
    stop = startBridge(fake.api);
    await act(async () => {});
  });
  afterEach(() => {
    stop();
    cleanup();
  });
}
