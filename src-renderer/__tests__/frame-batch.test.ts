import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { createFrameBatch } from '../frame-batch.js';

const line = (key: string): ChatEntry => ({ kind: 'system', key, text: key, at: 1, tone: 'info' });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('frame batch', () => {
  it('hands over the lines of one frame in one call per room, in order', async () => {
    const applied: Array<[string, string[]]> = [];
    const batch = createFrameBatch((roomId, entries) => applied.push([roomId, entries.map((e) => e.key)]));
    batch.add('r1', line('a'));
    batch.add('r2', line('b'));
    batch.add('r1', line('c'));
    expect(applied).toEqual([]);
    await vi.waitFor(() => expect(applied).toHaveLength(2));
    expect(applied).toEqual([
      ['r1', ['a', 'c']],
      ['r2', ['b']],
    ]);
    batch.dispose();
  });

  it('flush applies at once and dispose drops what is queued', () => {
    const applied: string[] = [];
    const batch = createFrameBatch((_roomId, entries) => applied.push(...entries.map((e) => e.key)));
    batch.add('r1', line('a'));
    batch.flush();
    expect(applied).toEqual(['a']);
    batch.add('r1', line('b'));
    batch.dispose();
    batch.flush();
    expect(applied).toEqual(['a']);
  });

  it('leaves the frame after a keystroke to its echo: the lines come one frame later, once', () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    vi.stubGlobal('cancelAnimationFrame', () => undefined);
    const applied: string[] = [];
    const batch = createFrameBatch((_roomId, entries) => applied.push(...entries.map((e) => e.key)));
    const type = () => document.body.dispatchEvent(new Event('input', { bubbles: true }));
    const nextFrame = () => frames.shift()?.(performance.now());

    batch.add('r1', line('a'));
    type();
    nextFrame(); // the keystroke's frame
    expect(applied).toEqual([]);
    type(); // still typing: the lines do not wait again
    nextFrame();
    expect(applied).toEqual(['a']);

    // Without typing, lines go in the first frame.
    batch.add('r1', line('b'));
    vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 1000);
    nextFrame();
    expect(applied).toEqual(['a', 'b']);
    batch.dispose();
    vi.restoreAllMocks();
  });
});
