// Web mode's per-run token arrives in the page URL (#token=…); once read it must leave the address
// bar and the history entry, so it is not kept in browser history or shared with a copied link.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WEB_TOKEN_KEY, resolveApi } from '../bridge.js';
import { createChatStore } from '../store/chat-store.js';

class FakeSocket extends EventTarget {
  static readonly OPEN = 1;
  static urls: string[] = [];
  readonly readyState = 0;
  constructor(readonly url: string) {
    super();
    FakeSocket.urls.push(url);
  }
  send(): void {}
  close(): void {}
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeSocket.urls = [];
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('web mode token', () => {
  it('is used for the socket, then gone from the page URL without a new history entry', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    window.history.replaceState(null, '', '/index.html#token=s3cret-run-token');
    const entries = window.history.length;

    expect(resolveApi(createChatStore())).not.toBeNull();

    expect(FakeSocket.urls).toEqual([`ws://${window.location.host}/ws?token=s3cret-run-token`]);
    expect(window.location.href).not.toContain('s3cret');
    expect(window.location.hash).toBe('');
    expect(window.location.pathname).toBe('/index.html');
    expect(window.history.length).toBe(entries);
  });

  it('keeps other fragment parameters', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    window.history.replaceState(null, '', '/#room=lobby&token=abc');
    resolveApi(createChatStore());
    expect(window.location.hash).toBe('#room=lobby');
  });

  it('survives a reload of the tab: kept in sessionStorage, not in the URL', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    window.history.replaceState(null, '', '/#token=run-1');
    resolveApi(createChatStore());
    expect(sessionStorage.getItem(WEB_TOKEN_KEY)).toBe('run-1');
    // The reload: the page URL no longer holds the token.
    expect(window.location.hash).toBe('');
    expect(resolveApi(createChatStore())).not.toBeNull();
    expect(FakeSocket.urls).toEqual([
      `ws://${window.location.host}/ws?token=run-1`,
      `ws://${window.location.host}/ws?token=run-1`,
    ]);
  });

  it('a new printed URL replaces the kept token', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    sessionStorage.setItem(WEB_TOKEN_KEY, 'old-run');
    window.history.replaceState(null, '', '/#token=new-run');
    resolveApi(createChatStore());
    expect(FakeSocket.urls).toEqual([`ws://${window.location.host}/ws?token=new-run`]);
    expect(sessionStorage.getItem(WEB_TOKEN_KEY)).toBe('new-run');
  });
});
