// The message list's memory between renders, outside React: row heights by log position, whether
// the view follows the newest line, how many lines arrived while scrolled up, and which rows to
// render for a scroll offset. Every step costs O(log n) or O(new lines), never O(history).
import type { EntryLog } from '../../store/entry-log.js';
import { HeightIndex } from './height-index.js';

/** A first guess for rows not measured yet (one line of text plus a header). */
const ROW_ESTIMATE = 52;
/** Rows rendered beyond each edge of the viewport, in pixels, so a scroll shows no blank gap. */
const OVERSCAN_PX = 400;
/** Rows rendered before the viewport's size is known (first paint, or a DOM without layout). */
const UNSIZED_ROWS = 40;
/** Within this distance of the end the reader counts as "at the latest line". */
export const BOTTOM_SLACK_PX = 40;
/** Within this distance of the top, older history is asked for. */
export const TOP_SLACK_PX = 200;

export interface RowWindow {
  first: number;
  last: number;
  offset: number;
  total: number;
}

export interface Arrivals {
  /** Lines from others, newest last, as "name: text". */
  spoken: string[];
  count: number;
}

export class ListModel {
  readonly heights = new HeightIndex(ROW_ESTIMATE);
  /** Stick to the newest line. */
  follow = true;
  /** Lines from others that arrived while scrolled up. */
  unseen = 0;
  /** Scrolled to the "new since you left" marker once. */
  placed = false;
  private seenEnd = 0;
  /** Height put above the rows on screen by older history, not yet added to the scroll offset. */
  private anchorShift = 0;

  constructor(log: EntryLog | null) {
    // What is already there when the list opens is history, not news.
    this.seenEnd = log?.end ?? 0;
  }

  /** New positions get the estimate, trimmed ones height 0: O(new + trimmed); older history O(n). */
  sync(log: EntryLog | null): void {
    const start = log?.start ?? 0;
    if (start < this.heights.start) this.anchorShift += this.heights.prependTo(start);
    this.heights.extendTo(log?.end ?? 0);
    this.heights.trimTo(log?.start ?? 0);
  }

  window(log: EntryLog | null, scrollTop: number, viewport: number): RowWindow {
    const start = log?.start ?? 0;
    const end = log?.end ?? 0;
    const total = this.heights.total();
    let first: number;
    let last: number;
    if (viewport <= 0) {
      last = end;
      first = Math.max(start, end - UNSIZED_ROWS);
    } else {
      const top = this.follow ? Math.max(0, total - viewport) : scrollTop;
      first = Math.max(start, this.heights.at(Math.max(0, top - OVERSCAN_PX)));
      last = Math.min(end, this.heights.at(top + viewport + OVERSCAN_PX) + 1);
    }
    return { first, last, offset: this.heights.top(first), total };
  }

  /** Looks at the lines added since the last call: your own line brings the view back down. */
  takeArrivals(log: EntryLog): Arrivals {
    const spoken: string[] = [];
    let count = 0;
    for (let p = Math.max(this.seenEnd, log.start); p < log.end; p++) {
      const entry = log.at(p);
      if (entry?.kind !== 'chat') continue;
      if (entry.own) {
        this.follow = true;
        this.unseen = 0;
        continue;
      }
      count += 1;
      if (!this.follow) this.unseen += 1;
      spoken.push(`${entry.from}: ${entry.text}`);
    }
    this.seenEnd = log.end;
    return { spoken, count };
  }

  /** What the scroll offset must grow by so older rows put above leave the view where it was. */
  takeAnchorShift(): number {
    const shift = this.anchorShift;
    this.anchorShift = 0;
    return shift;
  }

  /** Records measured row heights; returns the height change of rows above `scrollTop` and whether any changed. */
  measure(rows: Iterable<{ position: number; height: number }>, scrollTop: number) {
    let changed = false;
    let shiftAbove = 0;
    for (const { position, height } of rows) {
      const delta = this.heights.set(position, height);
      if (delta === 0) continue;
      changed = true;
      if (this.heights.top(position) < scrollTop) shiftAbove += delta;
    }
    return { changed, shiftAbove };
  }

  /** The user scrolled: following again only at the bottom. */
  scrolled(atBottom: boolean): void {
    this.follow = atBottom;
    if (atBottom) this.unseen = 0;
  }

  /** Where to start when the room opens: at the marker if it is above the fold, else at the bottom. */
  placeAt(log: EntryLog, marker: string | null, viewport: number): number | null {
    this.placed = true;
    const at = marker === null ? undefined : log.positionOf(marker);
    if (at === undefined) return null;
    const top = this.heights.top(at);
    if (top >= this.heights.total() - viewport) return null;
    this.follow = false;
    return Math.max(0, top - 8);
  }
}
