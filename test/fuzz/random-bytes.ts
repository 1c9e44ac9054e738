// Seeded randomness for the fuzzers: a failure prints its seed and input index, and rerunning with the
// same seed replays exactly the same inputs.

/** mulberry32: tiny, fast, good enough to pick bytes; not for anything secret. */
export class Rng {
  private state = 0;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 2^32). */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const r = this.u32();
      out[i] = r & 0xff;
      if (i + 1 < n) out[i + 1] = (r >>> 8) & 0xff;
      if (i + 2 < n) out[i + 2] = (r >>> 16) & 0xff;
      if (i + 3 < n) out[i + 3] = r >>> 24;
    }
    return out;
  }

  /** A length biased towards small values and the boundaries fuzzers love. */
  length(max: number): number {
    const r = this.int(10);
    if (r < 5) return this.int(Math.min(max, 40) + 1);
    if (r < 8) return this.int(max + 1);
    return Math.min(max, this.pick([0, 1, 2, 27, 28, 29, 31, 32, 33, 255, 256, 257, 1024, 1025, 4094, 4096, 4097]));
  }
}

/** Bytes that tend to hit edge cases in decoders: zero, 0xFF, UTF-8 leads, braces and quotes. */
const INTERESTING = [
  0x00, 0x01, 0x02, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xff, 0x7b, 0x7d, 0x22, 0x5c, 0x20,
  0x0a,
];

/**
 * Mutates a seed input: flips, overwrites with interesting bytes, inserts, deletes, truncates,
 * duplicates a slice. Returns a new array; never grows past `maxLength`.
 */
export function mutate(rng: Rng, input: Uint8Array, maxLength: number): Uint8Array {
  // Works on typed arrays (not number[]) so 4 KB datagrams stay cheap to mutate.
  let data: Uint8Array = Uint8Array.from(input);
  const splice = (at: number, remove: number, insert: Uint8Array): Uint8Array => {
    const out = new Uint8Array(data.length - Math.min(remove, data.length - at) + insert.length);
    out.set(data.subarray(0, at), 0);
    out.set(insert, at);
    out.set(data.subarray(at + remove), at + insert.length);
    return out;
  };
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(data.length + 1);
    const i = data.length ? at % data.length : 0;
    switch (rng.int(7)) {
      case 0:
        if (data.length) data[i] = (data[i] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (data.length) data[i] = rng.pick(INTERESTING);
        break;
      case 2:
        data = splice(at, 0, rng.bytes(1 + rng.int(8)));
        break;
      case 3:
        data = splice(at, 1 + rng.int(8), new Uint8Array(0));
        break;
      case 4:
        data = data.slice(0, at);
        break;
      case 5: {
        const len = rng.int(Math.min(64, data.length + 1));
        data = splice(at, 0, data.slice(at, at + len));
        break;
      }
      default:
        if (data.length) data[i] = rng.u32() & 0xff;
    }
  }
  return data.length > maxLength ? data.slice(0, maxLength) : data;
}
