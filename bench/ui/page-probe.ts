// Instrumentation injected into the page before the app loads (Playwright addInitScript). It runs in
// the browser, so it must be self-contained: no imports, no closures over Node values.
// It records, in epoch milliseconds (performance.timeOrigin + performance.now(), the same clock as the
// Node side's), the frame in which each burst message first appears in the DOM, every long task, and
// each composer keypress's delay from the key event to the next frame after it was handled.

export interface ProbeData {
  /** Burst message index → epoch ms of the first frame that showed it. */
  seen: Record<number, number>;
  /** The end-of-preload marker was rendered at this epoch ms. */
  preloadEndSeen: number | null;
  longTasks: { start: number; duration: number }[];
  /** Keypress → next frame, in ms. */
  keyDelays: number[];
  /** Event Timing API durations for key events over 16 ms (Chromium's own measure). */
  slowKeyEvents: number[];
}

export function installProbe(): void {
  const epoch = () => performance.timeOrigin + performance.now();
  const data: ProbeData = { seen: {}, preloadEndSeen: null, longTasks: [], keyDelays: [], slowKeyEvents: [] };
  Reflect.set(window, '__tincanProbe', data);

  const pending: number[] = [];
  let endPending = false;
  let frameRequested = false;
  const flushOnFrame = () => {
    frameRequested = false;
    const at = epoch();
    for (const index of pending.splice(0)) if (data.seen[index] === undefined) data.seen[index] = at;
    if (endPending && data.preloadEndSeen === null) data.preloadEndSeen = at;
    endPending = false;
  };
  const scan = (text: string | null) => {
    if (!text) return;
    for (const match of text.matchAll(/burst#(\d+)\b/g)) pending.push(Number(match[1]));
    if (text.includes('preload-end')) endPending = true;
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') scan(record.target.textContent);
      for (const node of record.addedNodes) scan(node.textContent);
    }
    if ((pending.length > 0 || endPending) && !frameRequested) {
      frameRequested = true;
      requestAnimationFrame(flushOnFrame);
    }
  });
  const start = () => observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) data.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name.startsWith('key')) data.slowKeyEvents.push(entry.duration);
  }).observe({ type: 'event', buffered: true, durationThreshold: 16 } as PerformanceObserverInit);

  document.addEventListener(
    'keydown',
    (event) => {
      const target = event.target as HTMLElement | null;
      // The composer is labelled by a <label for>, not aria-label: match either.
      if (!target || (target.id !== 'composer-input' && target.getAttribute('aria-label') !== 'Message')) return;
      const pressedAt = event.timeStamp;
      // The frame after the handlers ran: what the person sees as the key's echo.
      requestAnimationFrame(() => setTimeout(() => data.keyDelays.push(performance.now() - pressedAt), 0));
    },
    true,
  );
}
