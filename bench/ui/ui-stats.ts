// Percentiles and the verdict against the UI targets (issue 14): p95 ≤ 100 ms send → screen, no long
// task over 50 ms, keypress ≤ 16 ms, heap bounded as history grows.

export const UI_TARGETS = { p95Ms: 100, longTaskMs: 50, keypressMs: 16 } as const;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
  };
}

export const ms = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)} ms`);
