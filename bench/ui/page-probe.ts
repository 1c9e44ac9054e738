// Instrumentation injected into the page before the app loads (Playwright addInitScript). It runs in
// the browser, so it must be self-contained: no imports, no closures over Node values.
// It records, in epoch milliseconds (performance.timeOrigin + performance.now(), the same clock as the
// Node side's), the frame in which each burst message first appears in the DOM, every long task, and
// each composer keypress's delay from the key event to the end of the first frame that shows it.

export interface ProbeData {
  /** Burst message index → epoch ms of the first frame that showed it. */
  seen: Record<number, number>;
  /** The end-of-preload marker was rendered at this epoch ms. */
  preloadEndSeen: number | null;
  longTasks: { start: number; duration: number }[];
  /** Keypress → next frame, in ms. */
  keyDelays: number[];
}

export function installProbe(): void {
  const epoch = () => performance.timeOrigin + performance.now();
  const data: ProbeData = { seen: {}, preloadEndSeen: null, longTasks: [], keyDelays: [] };
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

  // Keypress latency: from the key event's timestamp (when the browser took the key, so time spent
  // queued behind other work counts) to the end of the first frame rendered after the key's text
  // reached the composer (its `input` event): a task posted from that frame's animation callback
  // runs only once the frame's style, layout, paint and commit to the compositor are done.
  const isComposer = (target: EventTarget | null) => {
    const el = target as HTMLElement | null;
    // The composer is labelled by a <label for>, not aria-label: match either.
    return !!el && (el.id === 'composer-input' || el.getAttribute('aria-label') === 'Message');
  };
  let pressedAt: number | null = null;
  document.addEventListener(
    'keydown',
    (event) => {
      if (isComposer(event.target)) pressedAt = event.timeStamp;
    },
    true,
  );
  document.addEventListener(
    'input',
    (event) => {
      if (pressedAt === null || !isComposer(event.target)) return;
      const from = pressedAt;
      pressedAt = null;
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => data.keyDelays.push(performance.now() - from);
        channel.port2.postMessage(null);
      });
    },
    true,
  );
}
