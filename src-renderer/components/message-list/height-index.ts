// Row heights of the message list by absolute log position, in a Fenwick tree: a row's top, the
// total height and the row at a scroll offset are O(log n); appending a row is O(log n) and never
// touches the rows before it. Trimmed rows are set to height 0, and the tree is rebuilt compact
// only once as many rows are dead as alive, so trimming stays O(1) amortized. Older rows put before
// the first (history loaded on scrolling up) rebuild the tree: O(n), once per page, which is rare.

export class HeightIndex {
  private tree = new Float64Array(1024);
  private heights = new Float64Array(1024);
  /** Absolute position of slot 0. */
  private base = 0;
  /** Slots in use: absolute positions base … base + used - 1. */
  private used = 0;
  /** First live position (rows before it were trimmed). */
  private live = 0;
  private measured = new Uint8Array(1024);

  constructor(readonly estimate: number) {}

  get end(): number {
    return this.base + this.used;
  }

  get start(): number {
    return this.live;
  }

  /** Grows to cover positions up to `end` (new rows get the estimate). */
  extendTo(end: number): void {
    while (this.end < end) this.push(this.estimate);
  }

  /** Marks positions before `start` as gone (height 0). */
  trimTo(start: number): void {
    while (this.live < start && this.live < this.end) {
      this.set(this.live, 0);
      this.live += 1;
    }
    if (this.live - this.base > 4096 && this.live - this.base > this.used / 2) this.compact();
  }

  /**
   * Covers positions from `start` (before the first live row) with the estimate, keeping every
   * height it has. Returns the height added above the previous first row: what the scroll offset
   * must grow by for the rows on screen to stay where they are.
   */
  prependTo(start: number): number {
    if (start >= this.live) return 0;
    const oldBase = this.base;
    const oldLive = this.live;
    const oldEnd = this.end;
    const heights = this.heights.slice(0, this.used);
    const measured = this.measured.slice(0, this.used);
    this.base = Math.min(start, oldBase);
    this.used = 0;
    this.live = start;
    for (let p = this.base; p < oldEnd; p++) {
      const kept = p >= oldLive;
      this.push(kept ? (heights[p - oldBase] ?? 0) : p >= start ? this.estimate : 0);
      if (kept) this.measured[this.used - 1] = measured[p - oldBase] ?? 0;
    }
    // The old first row now has a row before it: it may lose its day separator or header (grouped),
    // so it is measured again.
    if (oldLive < oldEnd) this.measured[oldLive - this.base] = 0;
    return this.top(oldLive);
  }

  height(position: number): number {
    return this.heights[position - this.base] ?? this.estimate;
  }

  isMeasured(position: number): boolean {
    return this.measured[position - this.base] === 1;
  }

  /** Records a measured height; returns the change. */
  set(position: number, height: number): number {
    const slot = position - this.base;
    if (slot < 0 || slot >= this.used) return 0;
    this.measured[slot] = 1;
    const delta = height - (this.heights[slot] ?? 0);
    if (delta === 0) return 0;
    this.heights[slot] = height;
    for (let i = slot + 1; i <= this.used; i += i & -i) this.tree[i - 1] = (this.tree[i - 1] ?? 0) + delta;
    return delta;
  }

  /** Sum of the heights of the rows before `position`: its top. */
  top(position: number): number {
    let i = Math.min(Math.max(position - this.base, 0), this.used);
    let sum = 0;
    while (i > 0) {
      sum += this.tree[i - 1] ?? 0;
      i -= i & -i;
    }
    return sum;
  }

  total(): number {
    return this.top(this.end);
  }

  /** The row that covers offset `y` (the last row when y is past the end). */
  at(y: number): number {
    if (this.used === 0) return this.base;
    let slot = 0;
    let rest = y;
    for (let step = 1 << Math.floor(Math.log2(this.used)); step > 0; step >>= 1) {
      const next = slot + step;
      const node = this.tree[next - 1] ?? 0;
      if (next <= this.used && node <= rest) {
        slot = next;
        rest -= node;
      }
    }
    return Math.max(this.live, Math.min(this.base + slot, this.end - 1));
  }

  private push(height: number): void {
    if (this.used === this.tree.length) this.grow(this.tree.length * 2);
    const slot = this.used++;
    this.heights[slot] = height;
    this.measured[slot] = 0;
    // Node slot+1 covers (slot+1 - lowbit, slot+1]: its own height plus the child nodes below it.
    const i = slot + 1;
    let sum = height;
    for (let child = i - 1; child > i - (i & -i); child -= child & -child) sum += this.tree[child - 1] ?? 0;
    this.tree[slot] = sum;
  }

  private grow(capacity: number): void {
    const tree = new Float64Array(capacity);
    tree.set(this.tree.subarray(0, this.used));
    const heights = new Float64Array(capacity);
    heights.set(this.heights.subarray(0, this.used));
    const measured = new Uint8Array(capacity);
    measured.set(this.measured.subarray(0, this.used));
    this.tree = tree;
    this.heights = heights;
    this.measured = measured;
  }

  private compact(): void {
    const drop = this.live - this.base;
    const keep = this.heights.slice(drop, this.used);
    const keepMeasured = this.measured.slice(drop, this.used);
    this.base = this.live;
    this.used = 0;
    for (const h of keep) this.push(h);
    this.measured.set(keepMeasured);
  }
}
