// Bench-only: canaries that measure how long each CPU was held from the highest-priority thread
// (gen_canary.c). Used by gen_udp.c, which owns the window and the timeline.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CANARY_MAX 2

typedef struct {
  // Over the window: held time summed over late wake-ups (µs), how many, the longest (µs).
  double held_micros, holds, longest_micros;
} canary_stats_t;

// Starts one canary per CPU in cpus[0..count) (count ≤ CANARY_MAX), each waking every
// interval_micros at real-time priority. Returns how many run at real-time priority, or -1.
int canaries_start(const int *cpus, int count, uint32_t interval_micros);
void canaries_stop(void);
// How many canaries were started (those that could not be placed included).
int canaries_running(void);
// The window in monotonic µs, and where each canary writes its longest hold per timeline bucket
// (timelines[i] has `buckets` entries of bucket_micros each from window_start; NULL: none).
void canaries_set_window(double window_start, double window_end, uint32_t **timelines, size_t buckets,
                         uint32_t bucket_micros);
// Copies out the stats of canary i over the window; the CPU it runs on, or -1 (no such canary, or
// it could not be placed on its CPU).
int canaries_stats(int i, canary_stats_t *out);
