// The message list, virtualized: only the rows in and near the viewport are in the DOM. Row heights
// are measured after each render and kept by log position (ListModel → HeightIndex), so finding
// the rows for a scroll offset and appending a line cost O(log n), never a pass over the history.
// The list follows the newest line while the reader is at the bottom; scrolled up, new lines do not
// move the view and a "jump to latest" button counts them. Near the top, older history is loaded
// from disk and put above; the scroll offset grows by its height so the view stays on the same line.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import type { EntryLog } from '../store/entry-log.js';
import { chatStore } from '../store/chat-store.js';
import { chatSelectors } from '../store/selectors.js';
import { useChat } from '../store/use-chat.js';
import { dayKey, GROUP_GAP_MS } from './message-list/dates.js';
import { BOTTOM_SLACK_PX, ListModel, TOP_SLACK_PX } from './message-list/list-model.js';
import { OlderHistoryNote } from './message-list/OlderHistoryNote.js';
import { MessageRow } from './message-list/MessageRow.js';

/** New lines read out by screen readers per batch; a burst is summarised after these. */
const ANNOUNCE_MAX = 3;

function rowFlags(log: EntryLog, position: number, entry: ChatEntry, marker: string | null) {
  const prev = log.at(position - 1);
  const startsDay = !prev || dayKey(prev.at) !== dayKey(entry.at);
  const newSince = entry.key === marker;
  const grouped =
    !startsDay &&
    !newSince &&
    prev.kind === 'chat' &&
    entry.kind === 'chat' &&
    prev.from === entry.from &&
    prev.own === entry.own &&
    entry.at - prev.at < GROUP_GAP_MS;
  return { startsDay, newSince, grouped };
}

function announce(spoken: string[], count: number): string {
  const extra = count - ANNOUNCE_MAX;
  return spoken.slice(-ANNOUNCE_MAX).join('\n') + (extra > 0 ? `\nand ${extra} more new messages` : '');
}

export function MessageList({ roomId }: { roomId: string }) {
  const log = useChat(chatSelectors.log(roomId));
  // Subscribed for its change only: the log is mutated in place and this number says it moved on.
  const version = useChat(chatSelectors.historyVersion(roomId));
  const marker = useChat(chatSelectors.newSince(roomId));
  const scrollerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLOListElement>(null);
  const [view, setView] = useState({ top: 0, height: 0, width: 0 });
  // What the list shows around the rows; `measured` counts re-renders asked for by new heights.
  const [status, setStatus] = useState({ following: true, unseen: 0, measured: 0 });
  const { following, unseen } = status;
  const liveRef = useRef<HTMLDivElement>(null);
  // Rows measured at this width; another width re-measures them (text wraps differently).
  const measuredWidth = useRef(0);
  // A mutable object kept for the component's life: React never compares it.
  const [model] = useState(() => new ListModel(log));
  model.sync(log);
  const { first, last, offset, total } = model.window(log, view.top, view.height);

  const readView = useCallback(() => {
    const el = scrollerRef.current;
    if (!el) return;
    setView((v) =>
      v.top === el.scrollTop && v.height === el.clientHeight && v.width === el.clientWidth
        ? v
        : { top: el.scrollTop, height: el.clientHeight, width: el.clientWidth },
    );
  }, []);

  // The viewport's size, now and whenever the window or the layout around the list changes.
  useLayoutEffect(() => {
    readView();
    const el = scrollerRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => readView());
    observer.observe(el);
    return () => observer.disconnect();
  }, [readView]);

  // After every render: note new lines, measure the rendered rows, then put the scroll where it
  // belongs. Each step ends when nothing changes, so the re-renders it asks for settle.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    const rows = rowsRef.current;
    const canvas = canvasRef.current;
    if (!scroller || !rows || !canvas || !log) return;

    const arrivals = model.takeArrivals(log);
    // Written straight to the DOM: a new announcement is no reason to render the list again.
    if (arrivals.count > 0 && liveRef.current) liveRef.current.textContent = announce(arrivals.spoken, arrivals.count);

    // Only rows not measured yet are read (each read can force a layout), all of them after a
    // width change.
    const widthChanged = measuredWidth.current !== view.width;
    measuredWidth.current = view.width;
    // Older rows were put above: the offset grows by their height first, so the line read stays put.
    const anchorShift = model.takeAnchorShift();
    const scrollTop = scroller.scrollTop + anchorShift;
    const measured: Array<{ position: number; height: number }> = [];
    for (const row of rows.children) {
      const position = Number((row as HTMLElement).dataset.pos);
      if (widthChanged || !model.heights.isMeasured(position))
        measured.push({ position, height: row.getBoundingClientRect().height });
    }
    const { changed, shiftAbove } = model.measure(measured, scrollTop);
    const newTotal = model.heights.total();
    if (changed) {
      canvas.style.height = `${newTotal}px`;
      rows.style.transform = `translateY(${model.heights.top(first)}px)`;
    }

    if (!model.placed && view.height > 0) {
      const at = model.placeAt(log, marker, view.height);
      if (at !== null) scroller.scrollTop = at;
    }
    // The browser clamps to the end; the total is known, so no scrollHeight read is needed.
    if (model.follow) scroller.scrollTop = newTotal;
    else if (shiftAbove !== 0 || anchorShift !== 0) {
      scroller.scrollTop = scrollTop + shiftAbove;
      // The rows to render follow the new offset (a browser also reports it as a scroll).
      if (anchorShift !== 0) readView();
    }

    // New heights matter only if they change which rows belong in the window.
    const again = changed ? model.window(log, scroller.scrollTop, view.height) : null;
    const next = {
      following: model.follow,
      unseen: model.unseen,
      measured: status.measured + (again && (again.first !== first || again.last !== last) ? 1 : 0),
    };
    const same =
      next.following === status.following && next.unseen === status.unseen && next.measured === status.measured;
    // Measuring needs the rendered DOM, so this effect feeds back into state; it settles as soon as
    // the window and the counts stop changing.
    if (!same) setStatus(next);
  }, [log, version, model, first, last, view.height, view.width, marker, status, readView]);

  const onScroll = () => {
    const el = scrollerRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    model.scrolled(atBottom);
    // The store asks only when more may be on disk and nothing is on its way.
    if (!atBottom && el.scrollTop < TOP_SLACK_PX) void chatStore.getState().loadOlderHistory(roomId);
    // Following, the window is taken from the end, so the list's own scrolls need no render.
    if (!atBottom) readView();
    setStatus((s) =>
      s.following === atBottom && s.unseen === model.unseen ? s : { ...s, following: atBottom, unseen: model.unseen },
    );
  };

  const jumpToLatest = () => {
    const el = scrollerRef.current;
    if (!el) return;
    model.scrolled(true);
    el.scrollTop = el.scrollHeight;
    setStatus((s) => ({ ...s, following: true, unseen: 0 }));
    // The button goes away: the list itself keeps the focus.
    el.focus();
    readView();
  };

  const rows = [];
  if (log) {
    for (let p = first; p < last; p++) {
      const entry = log.at(p);
      if (!entry) continue;
      rows.push(<MessageRow key={entry.key} entry={entry} position={p} {...rowFlags(log, p, entry, marker)} />);
    }
  }

  return (
    <div className="message-list">
      {/* role="log" is polite by default, but rows mounted by scrolling are not news: the list
          itself stays silent and the region below reads out new lines only. */}
      <div
        ref={scrollerRef}
        className="message-scroller"
        role="log"
        aria-label="Message history"
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
      >
        <div ref={canvasRef} className="message-canvas" style={{ height: `${total}px` }}>
          <ol ref={rowsRef} className="messages" aria-label="Messages" style={{ transform: `translateY(${offset}px)` }}>
            {rows}
          </ol>
        </div>
      </div>
      <div ref={liveRef} className="sr-only" aria-live="polite" aria-atomic="true" />
      <OlderHistoryNote roomId={roomId} atTop={log !== null && first === log.start} />
      {!following && (
        <button type="button" className="jump-latest primary small" onClick={jumpToLatest}>
          {unseen > 0 ? `${unseen} new ${unseen === 1 ? 'message' : 'messages'} · ` : ''}Jump to latest ↓
        </button>
      )}
    </div>
  );
}
