// A peer's markup in a desktop notification is shown as text: on Linux the notification server would
// otherwise draw <a href> links and fetch <img src> images; elsewhere the body is plain already.
import { describe, expect, it } from 'vitest';
import { notificationBody } from '../notification-markup.js';

describe('notificationBody', () => {
  it('writes markup characters as entities on Linux', () => {
    expect(notificationBody('<a href="https://evil.example/">bank</a> & <img src="https://x/">', 'linux')).toBe(
      '&lt;a href="https://evil.example/"&gt;bank&lt;/a&gt; &amp; &lt;img src="https://x/"&gt;',
    );
    expect(notificationBody('&lt; stays what was typed', 'linux')).toBe('&amp;lt; stays what was typed');
  });

  it('leaves the body as it is on macOS and Windows, and plain text everywhere', () => {
    expect(notificationBody('<b>hi</b> & bye', 'darwin')).toBe('<b>hi</b> & bye');
    expect(notificationBody('<b>hi</b> & bye', 'win32')).toBe('<b>hi</b> & bye');
    expect(notificationBody('hello, שלום 😀', 'linux')).toBe('hello, שלום 😀');
  });
});
