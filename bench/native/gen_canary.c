// Bench-only: a canary per CPU tells the machine's hold-ups apart from the relay's own tail. Each is
// a thread pinned to its CPU at the highest real-time priority that sleeps to an absolute deadline
// every interval and notes how late it woke. Nothing of ours can delay it (it preempts the relay and
// the sender), so a late wake-up means the CPU was not the guest's to give: the hypervisor ran
// something else (steal, accounted or not), or the kernel held it with preemption off. A hold on
// the relay's CPU queues datagrams there; one on the generator's CPU delays the sender, which then
// bursts. Costs a wake-up per interval per CPU, the same for every relay measured.
#define _GNU_SOURCE
#include "gen_canary.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

// A wake-up this late or later counts as a hold (normal wake-up latency is tens of µs).
#define HOLD_MICROS 200

typedef struct {
  pthread_t thread;
  int cpu;
  uint32_t interval;
  canary_stats_t stats;
  uint32_t *timeline;
} canary_t;

static struct {
  canary_t canaries[CANARY_MAX];
  int count;
  volatile int stop;
  pthread_mutex_t lock;
  double window_start, window_end;
  size_t buckets;
  uint32_t bucket_micros;
} state = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double mono_micros(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void *canary_loop(void *arg) {
  canary_t *c = arg;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(c->cpu, &one);
  // Not allowed on that CPU (a cpuset): a canary elsewhere would measure the wrong CPU, so none.
  if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0) {
    c->cpu = -1;
    return NULL;
  }
  double due = mono_micros();
  while (!state.stop) {
    due += c->interval;
    struct timespec until = {.tv_sec = (time_t)(due / 1e6), .tv_nsec = (long)((due - (double)(time_t)(due / 1e6) * 1e6) * 1000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    double now = mono_micros();
    double late = now - due;
    if (late >= HOLD_MICROS) {
      pthread_mutex_lock(&state.lock);
      if (due >= state.window_start && due < state.window_end) {
        c->stats.held_micros += late;
        c->stats.holds++;
        if (late > c->stats.longest_micros) c->stats.longest_micros = late;
        size_t bucket = (size_t)((due - state.window_start) / state.bucket_micros);
        if (c->timeline != NULL && bucket < state.buckets) {
          uint32_t micros = late > 4e9 ? 4000000000u : (uint32_t)late;
          if (micros > c->timeline[bucket]) c->timeline[bucket] = micros;
        }
      }
      pthread_mutex_unlock(&state.lock);
    }
    // Held past several deadlines: start again from now rather than waking back to back.
    if (late > c->interval) due = now;
  }
  return NULL;
}

int canaries_start(const int *cpus, int count, uint32_t interval_micros) {
  if (state.count > 0 || count < 1 || count > CANARY_MAX || interval_micros < 100) return -1;
  state.stop = 0;
  int realtime = 0;
  for (int i = 0; i < count; i++) {
    canary_t *c = &state.canaries[i];
    memset(&c->stats, 0, sizeof c->stats);
    c->cpu = cpus[i];
    c->interval = interval_micros;
    if (pthread_create(&c->thread, NULL, canary_loop, c) != 0) {
      state.count = i;
      canaries_stop();
      return -1;
    }
    struct sched_param prio = {.sched_priority = sched_get_priority_max(SCHED_FIFO)};
    realtime += pthread_setschedparam(c->thread, SCHED_FIFO, &prio) == 0;
    state.count = i + 1;
  }
  return realtime;
}

void canaries_stop(void) {
  state.stop = 1;
  for (int i = 0; i < state.count; i++) pthread_join(state.canaries[i].thread, NULL);
  state.count = 0;
}

int canaries_running(void) { return state.count; }

void canaries_set_window(double window_start, double window_end, uint32_t **timelines, size_t buckets,
                         uint32_t bucket_micros) {
  pthread_mutex_lock(&state.lock);
  state.window_start = window_start;
  state.window_end = window_end;
  state.buckets = buckets;
  state.bucket_micros = bucket_micros > 0 ? bucket_micros : 1;
  for (int i = 0; i < CANARY_MAX; i++) {
    memset(&state.canaries[i].stats, 0, sizeof state.canaries[i].stats);
    state.canaries[i].timeline = timelines != NULL ? timelines[i] : NULL;
  }
  pthread_mutex_unlock(&state.lock);
}

int canaries_stats(int i, canary_stats_t *out) {
  if (i < 0 || i >= state.count || state.canaries[i].cpu < 0) return -1;
  pthread_mutex_lock(&state.lock);
  *out = state.canaries[i].stats;
  pthread_mutex_unlock(&state.lock);
  return state.canaries[i].cpu;
}
