// Bench-only: the load generator's UDP in C, so the generator costs far less per datagram than the
// relay it measures. JS opens connected sockets and sends through here; one thread drains every
// socket with epoll + recvmmsg, classifies each datagram, reads the send stamp and records latency.
// Counters and the histogram are read and reset by JS once per phase. Linux only.
// Raw mode (encrypted members): the thread opens what is sealed under a room key JS passed on
// (gen_sealed.c) and classifies it as above; everything else (sealed under a member's own key, or
// a room key it does not hold yet) it appends with its socket and arrival time to a buffer that JS
// takes every millisecond or so.
// Latency ends at the kernel's receive timestamp (SO_TIMESTAMPNS, taken when the relay's datagram
// enters the receiving stack), so it measures the relay and not this process's scheduling.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gen_canary.h"
#include "gen_sealed.h"

#define BATCH 64
#define DGRAM_MAX 4096
#define STAMP_DIGITS 14
// Latency buckets: 1 µs wide below FINE_LIMIT µs, 1 ms wide above, up to COARSE_LIMIT ms.
#define FINE_LIMIT 65536
#define COARSE_LIMIT 120000
// The window's timeline, so that a trace can tell when the tail happened and whether the sender was
// behind then (takeTimeline): per millisecond of send stamps, the latest delivery, how many took
// LATE_MICROS or more, and the sender's largest lag behind its schedule. Two minutes at most; static,
// so the sender thread never writes into memory that was freed.
#define TIMELINE_BUCKET_MICROS 1000
#define TIMELINE_MAX_BUCKETS 120000
#define LATE_MICROS 500
static uint32_t timeline_max[TIMELINE_MAX_BUCKETS], timeline_late[TIMELINE_MAX_BUCKETS],
    timeline_lag[TIMELINE_MAX_BUCKETS];
// Per canary (gen_canary.c): its CPU's longest hold per bucket.
static uint32_t timeline_held[CANARY_MAX][TIMELINE_MAX_BUCKETS];

typedef struct {
  double received, outside, notices, acks, unknown;
  // Raw mode: datagrams that found the buffer full (JS fell behind); they count as lost.
  double raw_dropped;
  // Raw mode: room-sealed datagrams this thread opened, and those it refused (bad tag, replayed,
  // malformed): the JS side's sealed counts, for the datagrams it never saw.
  double sealed_opened, sealed_refused;
  uint32_t fine[FINE_LIMIT];
  uint32_t coarse[COARSE_LIMIT + 1];
} stats_t;

static struct {
  pthread_t thread;
  int running;
  int epfd, wakefd;
  pthread_mutex_t lock;
  stats_t *stats;
  double window_start, window_end;
  int control, chat_kind, ack_kind, chat_header;
  // > 0: look for datagrams every poll_micros instead of sleeping in epoll_wait (see receive_loop).
  int poll_micros;
  // CLOCK_REALTIME − CLOCK_MONOTONIC in µs: kernel timestamps are wall time, stamps are monotonic.
  double real_minus_mono;
  // Raw mode when raw_cap > 0: records of RAW_HEADER bytes (fd int32, length uint32, arrival µs
  // float64, host byte order) each followed by the datagram.
  uint8_t *raw_buf;
  size_t raw_len, raw_cap;
  // The window's timeline length in buckets (see timeline_max).
  size_t timeline_len;
} rx = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .wakefd = -1};

#define NO_BUCKET ((size_t)-1)

// The timeline bucket of a send stamp in the current window, or NO_BUCKET outside it.
static size_t timeline_bucket(double stamp) {
  if (stamp < rx.window_start) return NO_BUCKET;
  size_t bucket = (size_t)((stamp - rx.window_start) / TIMELINE_BUCKET_MICROS);
  return bucket < rx.timeline_len ? bucket : NO_BUCKET;
}

// µs as the timeline keeps them (uint32, capped).
static uint32_t timeline_micros(double micros) { return micros > 4e9 ? 4000000000u : (uint32_t)micros; }

// The paced sender: one thread sends every user's chat at its scheduled instant, so the offered load
// is smooth and never arrives in bursts because the JS event loop was late.
#define MAX_BACKLOG_MICROS 50000

typedef struct {
  int fd;
  uint32_t length, stamp_at, members;
  int32_t id_at;
  uint32_t next_id;
  uint8_t *bytes;
  // An encrypted member: `bytes` is the plaintext message, sealed per send (gen_sealed.c); else NULL.
  member_sealing_t *sealing;
} sim_user_t;

static struct {
  pthread_t thread;
  int running;
  volatile int stop;
  sim_user_t *users;
  member_sealing_t *sealings;
  uint32_t count;
  uint8_t *blob;
  double rate, start_at, window_start, window_end, stop_at;
  double sent, sent_in_window, expected, skipped, skipped_in_window, errors, max_lag;
  // Whether the sender thread runs at real-time priority (see start_sender).
  int realtime;
} tx;

void gen_rx_lock(void) { pthread_mutex_lock(&rx.lock); }
void gen_rx_unlock(void) { pthread_mutex_unlock(&rx.lock); }

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static double now_micros(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t); // what process.hrtime() reads: comparable across processes
  return (double)t.tv_sec * 1e6 + (double)(t.tv_nsec / 1000);
}

static double clock_micros(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec * 1e6 + (double)(t.tv_nsec / 1000);
}

static double real_minus_mono(void) {
  double a = clock_micros(CLOCK_MONOTONIC), r = clock_micros(CLOCK_REALTIME), b = clock_micros(CLOCK_MONOTONIC);
  return r - (a + b) / 2;
}

// The datagram's kernel receive time on the monotonic clock, or `fallback` without a timestamp.
static double arrival_micros(struct msghdr *h, double fallback) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return (double)ts.tv_sec * 1e6 + (double)(ts.tv_nsec / 1000) - rx.real_minus_mono;
    }
  }
  return fallback;
}

static int plain_text_offset(const uint8_t *b, size_t len) {
  size_t limit = len - 1 < 64 ? len - 1 : 64;
  for (size_t i = 1; i < limit; i++)
    if (b[i] == ':' && b[i + 1] == ' ') return (int)i + 2;
  return -1;
}

static double read_stamp(const uint8_t *b, size_t len, int at) {
  if (at < 0 || (size_t)at + STAMP_DIGITS >= len) return -1;
  double v = 0;
  for (int i = at; i < at + STAMP_DIGITS; i++) {
    int d = b[i] - '0';
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return b[at + STAMP_DIGITS] == ' ' ? v : -1;
}

// Called with the lock held.
static void classify(const uint8_t *b, size_t len, double now) {
  stats_t *s = rx.stats;
  int at;
  if (len >= 2 && b[0] == rx.control) {
    if (b[1] == rx.chat_kind && len >= (size_t)rx.chat_header) {
      at = rx.chat_header + b[6];
    } else {
      if (b[1] == rx.ack_kind) s->acks++;
      else s->notices++;
      return;
    }
  } else if (len >= 2 && b[0] == '*' && b[1] == ' ') {
    s->notices++;
    return;
  } else {
    at = len >= 2 ? plain_text_offset(b, len) : -1;
  }
  double stamp = read_stamp(b, len, at);
  if (stamp < 0) {
    s->unknown++;
    return;
  }
  if (stamp < rx.window_start || stamp >= rx.window_end) {
    s->outside++;
    return;
  }
  s->received++;
  double latency = now - stamp;
  if (latency < 1) latency = 1;
  size_t bucket = timeline_bucket(stamp);
  if (bucket != NO_BUCKET) {
    uint32_t micros = timeline_micros(latency);
    if (micros > timeline_max[bucket]) timeline_max[bucket] = micros;
    if (micros >= LATE_MICROS) timeline_late[bucket]++;
  }
  if (latency < FINE_LIMIT) s->fine[(uint32_t)latency]++;
  else {
    double ms = latency / 1000;
    s->coarse[ms > COARSE_LIMIT ? COARSE_LIMIT : (uint32_t)ms]++;
  }
}

#define RAW_HEADER 16

static void append_raw(int fd, const uint8_t *b, uint32_t len, double at);

// Raw mode, called with the lock held: opens and classifies a room-sealed datagram, or keeps it for JS.
static void receive_raw(int fd, uint8_t *b, uint32_t len, double at) {
  const uint8_t *message;
  size_t message_len;
  switch (room_keys_open(fd, b, len, &message, &message_len)) {
  case ROOM_OPEN_NOT_MINE:
    append_raw(fd, b, len, at);
    return;
  case ROOM_OPEN_OK:
    rx.stats->sealed_opened++;
    classify(message, message_len, at);
    return;
  default:
    rx.stats->sealed_refused++;
  }
}

// Called with the lock held.
static void append_raw(int fd, const uint8_t *b, uint32_t len, double at) {
  if (rx.raw_len + RAW_HEADER + len > rx.raw_cap) {
    rx.stats->raw_dropped++;
    return;
  }
  uint8_t *p = rx.raw_buf + rx.raw_len;
  int32_t f = fd;
  memcpy(p, &f, 4);
  memcpy(p + 4, &len, 4);
  memcpy(p + 8, &at, 8);
  memcpy(p + RAW_HEADER, b, len);
  rx.raw_len += RAW_HEADER + len;
}

static void *receive_loop(void *arg) {
  (void)arg;
  static uint8_t bufs[BATCH][DGRAM_MAX];
  static uint8_t controls[BATCH][CMSG_SPACE(sizeof(struct timespec)) + 64];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct epoll_event events[256];
  struct timespec nap = {.tv_sec = 0, .tv_nsec = (long)rx.poll_micros * 1000};
  for (;;) {
    // Polling mode: on loopback the sender's system call also wakes the receiver, so a receiver asleep
    // in epoll_wait puts a cross-CPU wake-up on the relay's bill for nearly every datagram; a remote
    // receiver would not. Checking every poll_micros keeps that cost off the relay, and adds at most
    // poll_micros to each measured latency.
    int n = epoll_wait(rx.epfd, events, 256, rx.poll_micros > 0 ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0 && rx.poll_micros > 0) {
      nanosleep(&nap, NULL);
      continue;
    }
    int stop = 0;
    for (int e = 0; e < n; e++) {
      int fd = events[e].data.fd;
      if (fd == rx.wakefd) {
        stop = 1;
        continue;
      }
      for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = DGRAM_MAX;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = controls[i];
        msgs[i].msg_hdr.msg_controllen = sizeof controls[i];
      }
      // Level-triggered: a socket with more than BATCH waiting is reported again next round.
      int got = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) continue;
      double now = now_micros();
      pthread_mutex_lock(&rx.lock);
      if (rx.raw_cap > 0)
        for (int i = 0; i < got; i++) receive_raw(fd, bufs[i], msgs[i].msg_len, arrival_micros(&msgs[i].msg_hdr, now));
      else
        for (int i = 0; i < got; i++) classify(bufs[i], msgs[i].msg_len, arrival_micros(&msgs[i].msg_hdr, now));
      pthread_mutex_unlock(&rx.lock);
    }
    if (stop) break;
  }
  return NULL;
}

static void set_number(napi_env env, napi_value obj, const char *key, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, key, v);
}

static void write_stamp(uint8_t *b, double micros) {
  uint64_t rest = (uint64_t)micros;
  for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
    b[i] = (uint8_t)('0' + rest % 10);
    rest /= 10;
  }
}

static void *send_loop(void *arg) {
  (void)arg;
  double interval = 1e6 / tx.rate;
  uint64_t k = 0;
  uint32_t next = 0;
  while (!tx.stop) {
    double due = tx.start_at + (double)k * interval;
    if (due >= tx.stop_at) break;
    double now = now_micros();
    if (due - now > 30) {
      struct timespec until = {.tv_sec = (time_t)(due / 1e6), .tv_nsec = (long)((due - (double)(time_t)(due / 1e6) * 1e6) * 1000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
      continue;
    }
    double lag = now - due;
    if (lag > tx.max_lag) tx.max_lag = lag;
    if (lag > MAX_BACKLOG_MICROS) {
      // Far behind: skip what is overdue rather than burst it out (counted, and reported).
      uint64_t behind = (uint64_t)((lag - MAX_BACKLOG_MICROS) / interval) + 1;
      tx.skipped += (double)behind;
      if (now >= tx.window_start && now < tx.window_end) tx.skipped_in_window += (double)behind;
      k += behind;
      continue;
    }
    sim_user_t *u = &tx.users[next];
    next = next + 1 == tx.count ? 0 : next + 1;
    k++;
    double stamp = now_micros();
    write_stamp(u->bytes + u->stamp_at, stamp);
    size_t bucket = timeline_bucket(stamp);
    if (bucket != NO_BUCKET && lag > timeline_lag[bucket]) timeline_lag[bucket] = timeline_micros(lag);
    if (u->id_at >= 0) {
      uint32_t id = ++u->next_id;
      uint8_t *p = u->bytes + u->id_at;
      p[0] = (uint8_t)(id >> 24), p[1] = (uint8_t)(id >> 16), p[2] = (uint8_t)(id >> 8), p[3] = (uint8_t)id;
    }
    if (u->sealing != NULL) {
      static uint8_t sealed[DGRAM_MAX];
      int n = member_seal(u->sealing, u->bytes, u->length, sealed, sizeof sealed);
      if (n < 0 || send(u->fd, sealed, (size_t)n, MSG_DONTWAIT) < 0) tx.errors++;
    } else if (send(u->fd, u->bytes, u->length, MSG_DONTWAIT) < 0) {
      tx.errors++;
    }
    tx.sent++;
    if (stamp >= tx.window_start && stamp < tx.window_end) {
      tx.sent_in_window++;
      tx.expected += u->members > 0 ? u->members - 1 : 0;
    }
  }
  return NULL;
}

// Whether this process may run on fewer CPUs than are online (the bench's --pin gives it its own).
static int has_own_cpus(void) {
  cpu_set_t allowed;
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || online <= 0) return 0;
  return CPU_COUNT(&allowed) < online;
}

// Frees what startSender allocated.
static void free_sender(void) {
  if (tx.sealings != NULL)
    for (uint32_t i = 0; i < tx.count; i++) member_sealing_free(&tx.sealings[i]);
  free(tx.sealings);
  free(tx.blob);
  free(tx.users);
  tx.sealings = NULL;
  tx.blob = NULL;
  tx.users = NULL;
  tx.count = 0;
}

#define META_INTS 7

// startSender(blob, meta: Int32Array [fd, offset, length, stampAt, idAt, members, firstId] per user
// in send order, totalRatePerSec, startAt, windowStart, windowEnd, stopAt[, sealing]): every instant
// is nowMicros() time. `sealing`: SEALING_RECORD_BYTES per user (gen_sealed.h), whose blob bytes are
// then the plaintext message, sealed at each send.
static napi_value start_sender(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  void *blob, *meta_base, *sealing = NULL;
  size_t blob_len, meta_len, meta_offset, sealing_len = 0;
  napi_typedarray_type type;
  napi_value ab;
  double num[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7 || napi_get_buffer_info(env, argv[0], &blob, &blob_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &meta_len, &meta_base, &ab, &meta_offset) != napi_ok || type != napi_int32_array ||
      meta_len % META_INTS != 0 || meta_len == 0) {
    return throw_error(env, "startSender(blob, meta, rate, startAt, windowStart, windowEnd, stopAt[, sealing])");
  }
  for (int i = 0; i < 5; i++)
    if (napi_get_value_double(env, argv[2 + i], &num[i]) != napi_ok) return throw_error(env, "startSender: numbers expected");
  uint32_t count = (uint32_t)(meta_len / META_INTS);
  if (argc == 8) {
    napi_valuetype t;
    napi_typeof(env, argv[7], &t);
    if (t != napi_undefined && (napi_get_buffer_info(env, argv[7], &sealing, &sealing_len) != napi_ok || sealing_len != (size_t)count * SEALING_RECORD_BYTES))
      return throw_error(env, "startSender: sealing must hold one record per user");
  }
  if (tx.running) return throw_error(env, "startSender: already running");
  if (!(num[0] > 0)) return throw_error(env, "startSender: rate must be > 0");
  int32_t *meta = meta_base;
  tx.blob = malloc(blob_len);
  tx.users = calloc(count, sizeof(sim_user_t));
  tx.sealings = sealing != NULL ? calloc(count, sizeof(member_sealing_t)) : NULL;
  tx.count = count;
  if (!tx.blob || !tx.users || (sealing != NULL && !tx.sealings)) {
    free_sender();
    return throw_error(env, "startSender: out of memory");
  }
  memcpy(tx.blob, blob, blob_len);
  for (uint32_t i = 0; i < count; i++) {
    int32_t *m = meta + i * META_INTS;
    if (m[1] < 0 || m[2] <= 0 || (size_t)m[1] + (size_t)m[2] > blob_len || m[3] < 0 || m[3] + STAMP_DIGITS > m[2] || m[4] < -1 || m[4] + 4 > m[2]) {
      free_sender();
      return throw_error(env, "startSender: meta out of range");
    }
    tx.users[i] = (sim_user_t){.fd = m[0], .bytes = tx.blob + m[1], .length = (uint32_t)m[2], .stamp_at = (uint32_t)m[3], .id_at = m[4], .members = (uint32_t)m[5], .next_id = (uint32_t)m[6]};
    if (sealing != NULL) {
      if (!member_sealing_init(&tx.sealings[i], (const uint8_t *)sealing + (size_t)i * SEALING_RECORD_BYTES)) {
        free_sender();
        return throw_error(env, "startSender: a sealing record was refused");
      }
      tx.users[i].sealing = &tx.sealings[i];
    }
  }
  tx.rate = num[0];
  tx.start_at = num[1];
  tx.window_start = num[2];
  tx.window_end = num[3];
  tx.stop_at = num[4];
  tx.sent = tx.sent_in_window = tx.expected = tx.skipped = tx.skipped_in_window = tx.errors = tx.max_lag = 0;
  tx.stop = 0;
  if (pthread_create(&tx.thread, NULL, send_loop, NULL) != 0) {
    free_sender();
    return throw_error(env, "startSender: no thread");
  }
  // Real-time priority when this process has CPUs of its own (--pin) and it is allowed (root, or
  // CAP_SYS_NICE): the paced sender then runs the moment a send is due instead of waiting behind
  // this process's receive thread, whose load differs between runs (it opens every sealed
  // datagram). A starved sender falls behind and then bursts, and the burst's queue in the relay
  // would be measured as the relay's latency. On CPUs shared with the relay, real-time priority
  // would also take the CPU from the relay being measured: there the sender stays as it was. The
  // thread sleeps between sends, and the kernel's real-time throttling bounds it anyway.
  tx.realtime = 0;
  if (has_own_cpus()) {
    struct sched_param prio = {.sched_priority = 1};
    tx.realtime = pthread_setschedparam(tx.thread, SCHED_FIFO, &prio) == 0;
  }
  tx.running = 1;
  return NULL;
}

// stopSender() → counts; waits for the thread (it stops by itself at stopAt).
static napi_value stop_sender(napi_env env, napi_callback_info info) {
  (void)info;
  if (!tx.running) return throw_error(env, "stopSender: not running");
  pthread_join(tx.thread, NULL);
  tx.running = 0;
  free_sender();
  napi_value result;
  napi_create_object(env, &result);
  set_number(env, result, "sent", tx.sent);
  set_number(env, result, "sentInWindow", tx.sent_in_window);
  set_number(env, result, "expected", tx.expected);
  set_number(env, result, "skipped", tx.skipped);
  set_number(env, result, "skippedInWindow", tx.skipped_in_window);
  set_number(env, result, "errors", tx.errors);
  set_number(env, result, "maxLagMicros", tx.max_lag);
  set_number(env, result, "realtime", tx.realtime);
  return result;
}

static int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len;
  return napi_get_value_string_utf8(env, v, out, size, &len) == napi_ok;
}

static int to_sockaddr(const char *ip, uint32_t port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return AF_INET6;
  }
  return -1;
}

// open(localIp, serverIp, serverPort, recvBufferBytes) → [fd, localPort]
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char local[64], server[64];
  uint32_t port, rcvbuf;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4 || !get_string(env, argv[0], local, sizeof local) ||
      !get_string(env, argv[1], server, sizeof server) || napi_get_value_uint32(env, argv[2], &port) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &rcvbuf) != napi_ok) {
    return throw_error(env, "open(localIp, serverIp, serverPort, recvBufferBytes)");
  }
  struct sockaddr_storage la, sa;
  socklen_t llen, slen;
  int family = to_sockaddr(local, 0, &la, &llen);
  if (family < 0 || to_sockaddr(server, port, &sa, &slen) != family) return throw_error(env, "open: addresses must be IP literals of one family");
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_error(env, strerror(errno));
  int size = (int)rcvbuf, on = 1;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&la, llen) < 0 || connect(fd, (struct sockaddr *)&sa, slen) < 0) {
    int err = errno;
    close(fd);
    return throw_error(env, strerror(err));
  }
  socklen_t blen = sizeof la;
  getsockname(fd, (struct sockaddr *)&la, &blen);
  uint16_t bound = family == AF_INET ? ntohs(((struct sockaddr_in *)&la)->sin_port) : ntohs(((struct sockaddr_in6 *)&la)->sin6_port);
  if (rx.epfd >= 0) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(rx.epfd, EPOLL_CTL_ADD, fd, &ev);
  }
  napi_value result, v;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, fd, &v);
  napi_set_element(env, result, 0, v);
  napi_create_uint32(env, bound, &v);
  napi_set_element(env, result, 1, v);
  return result;
}

// send(fd, data) → 0, or a negative errno (EAGAIN included: the datagram is lost, and counted).
static napi_value send_one(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  void *data;
  size_t len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    return throw_error(env, "send(fd, buffer)");
  }
  ssize_t r = send(fd, data, len, MSG_DONTWAIT);
  napi_value result;
  napi_create_int32(env, r < 0 ? -errno : 0, &result);
  return result;
}

// closeSocket(fd)
static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    return throw_error(env, "closeSocket(fd)");
  }
  if (rx.epfd >= 0) epoll_ctl(rx.epfd, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  // A later socket may get the same number: it must not inherit this one's room key.
  pthread_mutex_lock(&rx.lock);
  room_keys_forget(fd);
  pthread_mutex_unlock(&rx.lock);
  return NULL;
}

// startReceiver(control, chatKind, ackKind, chatHeaderBytes, pollMicros[, rawBytes]): sockets opened
// from now on are read by the thread; pollMicros 0 sleeps in epoll_wait, > 0 checks that often;
// rawBytes > 0: raw mode with a buffer that size (see takeRaw).
static napi_value start_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t v[6] = {0};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 || argc > 6)
    return throw_error(env, "startReceiver(control, chat, ack, header, pollMicros[, rawBytes])");
  for (size_t i = 0; i < argc; i++)
    if (napi_get_value_int32(env, argv[i], &v[i]) != napi_ok) return throw_error(env, "startReceiver: numbers expected");
  if (rx.running) return throw_error(env, "startReceiver: already running");
  rx.control = v[0];
  rx.chat_kind = v[1];
  rx.ack_kind = v[2];
  rx.chat_header = v[3];
  if (v[4] < 0 || v[4] > 100000) return throw_error(env, "startReceiver: pollMicros must be 0-100000");
  rx.poll_micros = v[4];
  if (v[5] < 0 || v[5] > (1 << 28)) return throw_error(env, "startReceiver: rawBytes must be 0-256 MiB");
  rx.raw_cap = (size_t)v[5];
  rx.raw_len = 0;
  rx.raw_buf = rx.raw_cap > 0 ? malloc(rx.raw_cap) : NULL;
  if (rx.raw_cap > 0 && !rx.raw_buf) return throw_error(env, "startReceiver: out of memory");
  rx.stats = calloc(1, sizeof(stats_t));
  rx.epfd = epoll_create1(EPOLL_CLOEXEC);
  rx.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!rx.stats || rx.epfd < 0 || rx.wakefd < 0) return throw_error(env, "startReceiver: out of resources");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = rx.wakefd};
  epoll_ctl(rx.epfd, EPOLL_CTL_ADD, rx.wakefd, &ev);
  rx.window_start = 0;
  rx.window_end = 0;
  rx.real_minus_mono = real_minus_mono();
  if (pthread_create(&rx.thread, NULL, receive_loop, NULL) != 0) return throw_error(env, "startReceiver: no thread");
  rx.running = 1;
  return NULL;
}

// setWindow(startMicros, endMicros): chat stamped inside counts as received; everything is reset.
static napi_value set_window(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double start, end;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 || napi_get_value_double(env, argv[0], &start) != napi_ok ||
      napi_get_value_double(env, argv[1], &end) != napi_ok || !rx.stats) {
    return throw_error(env, "setWindow(start, end) after startReceiver");
  }
  double buckets = (end - start) / TIMELINE_BUCKET_MICROS + 1;
  pthread_mutex_lock(&rx.lock);
  memset(rx.stats, 0, sizeof(stats_t));
  memset(timeline_max, 0, sizeof timeline_max);
  memset(timeline_late, 0, sizeof timeline_late);
  memset(timeline_lag, 0, sizeof timeline_lag);
  memset(timeline_held, 0, sizeof timeline_held);
  rx.timeline_len = buckets <= 0 ? 0 : buckets < TIMELINE_MAX_BUCKETS ? (size_t)buckets : TIMELINE_MAX_BUCKETS;
  uint32_t *held[CANARY_MAX];
  for (int i = 0; i < CANARY_MAX; i++) held[i] = timeline_held[i];
  canaries_set_window(start, end, held, rx.timeline_len, TIMELINE_BUCKET_MICROS);
  rx.window_start = start;
  rx.window_end = end;
  rx.real_minus_mono = real_minus_mono();
  pthread_mutex_unlock(&rx.lock);
  return NULL;
}

// takeTimeline() → { startMicros, bucketMicros, lateMicros, max, late, lag, held } for the current
// window (Uint32Arrays, one number per bucket of send stamps): the highest latency (µs), the
// deliveries that took lateMicros or more, the sender's largest lag (µs), and per running canary its
// CPU's longest hold (µs). A diagnostic, read once a phase.
static napi_value take_timeline(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, ab, max, late, lag, held;
  uint32_t *out;
  pthread_mutex_lock(&rx.lock);
  size_t n = rx.timeline_len;
  if (napi_create_arraybuffer(env, (3 + CANARY_MAX) * n * sizeof(uint32_t), (void **)&out, &ab) != napi_ok) {
    pthread_mutex_unlock(&rx.lock);
    return throw_error(env, "takeTimeline: out of memory");
  }
  memcpy(out, timeline_max, n * sizeof(uint32_t));
  memcpy(out + n, timeline_late, n * sizeof(uint32_t));
  memcpy(out + 2 * n, timeline_lag, n * sizeof(uint32_t));
  for (int i = 0; i < CANARY_MAX; i++) memcpy(out + (3 + i) * n, timeline_held[i], n * sizeof(uint32_t));
  double start = rx.window_start;
  pthread_mutex_unlock(&rx.lock);
  napi_create_array(env, &held);
  // One per canary started, in order (one that could not be placed stays all zeros).
  for (int i = 0; i < canaries_running(); i++) {
    napi_value one;
    napi_create_typedarray(env, napi_uint32_array, n, ab, (3 + i) * n * sizeof(uint32_t), &one);
    napi_set_element(env, held, (uint32_t)i, one);
  }
  napi_create_typedarray(env, napi_uint32_array, n, ab, 0, &max);
  napi_create_typedarray(env, napi_uint32_array, n, ab, n * sizeof(uint32_t), &late);
  napi_create_typedarray(env, napi_uint32_array, n, ab, 2 * n * sizeof(uint32_t), &lag);
  napi_create_object(env, &result);
  set_number(env, result, "startMicros", start);
  set_number(env, result, "bucketMicros", TIMELINE_BUCKET_MICROS);
  set_number(env, result, "lateMicros", LATE_MICROS);
  napi_set_named_property(env, result, "max", max);
  napi_set_named_property(env, result, "late", late);
  napi_set_named_property(env, result, "lag", lag);
  napi_set_named_property(env, result, "held", held);
  return result;
}

// takeRaw() → Buffer of the records received since the last call (raw mode; empty otherwise).
static napi_value take_raw(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  pthread_mutex_lock(&rx.lock);
  static const uint8_t none[1];
  napi_status status = napi_create_buffer_copy(env, rx.raw_len, rx.raw_len > 0 ? rx.raw_buf : none, NULL, &result);
  rx.raw_len = 0;
  pthread_mutex_unlock(&rx.lock);
  if (status != napi_ok) return throw_error(env, "takeRaw: out of memory");
  return result;
}

// takeRawInto(buffer) → bytes written: takeRaw without a new Buffer per call. `buffer` must hold the
// receiver's whole raw buffer (rawBytes); a Buffer per drain was external memory whose pressure made
// V8 run full collections in the generator every few seconds, stalling its sends.
static napi_value take_raw_into(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  void *data;
  size_t len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok)
    return throw_error(env, "takeRawInto(buffer)");
  if (len < rx.raw_cap) return throw_error(env, "takeRawInto: the buffer must hold rawBytes");
  pthread_mutex_lock(&rx.lock);
  size_t n = rx.raw_len;
  if (n > 0) memcpy(data, rx.raw_buf, n);
  rx.raw_len = 0;
  pthread_mutex_unlock(&rx.lock);
  napi_create_uint32(env, (uint32_t)n, &result);
  return result;
}

// takeStats() → { received, outside, notices, acks, unknown, rawDropped, latency: Float64Array [µs, count, …] }
static napi_value take_stats(napi_env env, napi_callback_info info) {
  (void)info;
  if (!rx.stats) return throw_error(env, "takeStats after startReceiver");
  pthread_mutex_lock(&rx.lock);
  stats_t *s = rx.stats;
  size_t pairs = 0;
  for (size_t i = 0; i < FINE_LIMIT; i++) pairs += s->fine[i] != 0;
  for (size_t i = 0; i <= COARSE_LIMIT; i++) pairs += s->coarse[i] != 0;
  napi_value ab, latency, result;
  double *out;
  napi_create_arraybuffer(env, pairs * 2 * sizeof(double), (void **)&out, &ab);
  size_t k = 0;
  for (size_t i = 0; i < FINE_LIMIT; i++)
    if (s->fine[i]) {
      out[k++] = (double)i;
      out[k++] = s->fine[i];
    }
  for (size_t i = 0; i <= COARSE_LIMIT; i++)
    if (s->coarse[i]) {
      out[k++] = (double)i * 1000 + 500;
      out[k++] = s->coarse[i];
    }
  napi_create_typedarray(env, napi_float64_array, pairs * 2, ab, 0, &latency);
  napi_create_object(env, &result);
  set_number(env, result, "received", s->received);
  set_number(env, result, "outside", s->outside);
  set_number(env, result, "notices", s->notices);
  set_number(env, result, "acks", s->acks);
  set_number(env, result, "unknown", s->unknown);
  set_number(env, result, "rawDropped", s->raw_dropped);
  set_number(env, result, "sealedOpened", s->sealed_opened);
  set_number(env, result, "sealedRefused", s->sealed_refused);
  napi_set_named_property(env, result, "latency", latency);
  pthread_mutex_unlock(&rx.lock);
  napi_value holds;
  napi_create_array(env, &holds);
  canary_stats_t c;
  for (int i = 0, k = 0, cpu; i < canaries_running(); i++) {
    if ((cpu = canaries_stats(i, &c)) < 0) continue;
    napi_value one;
    napi_create_object(env, &one);
    set_number(env, one, "cpu", cpu);
    set_number(env, one, "heldMs", c.held_micros / 1000);
    set_number(env, one, "holds", c.holds);
    set_number(env, one, "longestMs", c.longest_micros / 1000);
    napi_set_element(env, holds, (uint32_t)k++, one);
  }
  napi_set_named_property(env, result, "holds", holds);
  return result;
}

// calibrate(count) → CPU nanoseconds this thread spent per datagram sending `count` 64-byte
// datagrams over loopback with sendmmsg (64 at a time) and reading them back with recvmmsg. On
// loopback the receive path runs inside the send call, so this is most of the kernel's per-datagram
// UDP cost on this machine, now (a kernel that accounts softirq time apart may leave some out):
// recorded with every bench run so that runs taken at different times (or on different virtual
// machines) can be compared. −1 if loopback UDP is not usable.
static napi_value calibrate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_uint32(env, argv[0], &count) != napi_ok ||
      count == 0 || count > 10000000) {
    return throw_error(env, "calibrate(count: 1..10,000,000)");
  }
  double result = -1;
  int rxfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int txfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t to_len = sizeof to;
  int big = 4 * 1024 * 1024;
  if (rxfd >= 0 && txfd >= 0 && setsockopt(rxfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big) == 0 &&
      bind(rxfd, (struct sockaddr *)&to, sizeof to) == 0 && getsockname(rxfd, (struct sockaddr *)&to, &to_len) == 0) {
    static uint8_t out[64], in[BATCH][64];
    struct mmsghdr tx_msgs[BATCH], rx_msgs[BATCH];
    struct iovec tx_iov = {.iov_base = out, .iov_len = sizeof out}, rx_iov[BATCH];
    memset(out, 'x', sizeof out);
    for (int i = 0; i < BATCH; i++) {
      memset(&tx_msgs[i], 0, sizeof tx_msgs[i]);
      tx_msgs[i].msg_hdr.msg_name = &to;
      tx_msgs[i].msg_hdr.msg_namelen = sizeof to;
      tx_msgs[i].msg_hdr.msg_iov = &tx_iov;
      tx_msgs[i].msg_hdr.msg_iovlen = 1;
      rx_iov[i].iov_base = in[i];
      rx_iov[i].iov_len = sizeof in[i];
      memset(&rx_msgs[i], 0, sizeof rx_msgs[i]);
      rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
      rx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    uint32_t sent = 0, received = 0;
    int failed = 0;
    while (sent < count && !failed) {
      unsigned n = count - sent < BATCH ? count - sent : BATCH;
      int k = sendmmsg(txfd, tx_msgs, n, 0);
      if (k <= 0) {
        failed = errno != EINTR;
        continue;
      }
      sent += (uint32_t)k;
      int got;
      while ((got = recvmmsg(rxfd, rx_msgs, BATCH, MSG_DONTWAIT, NULL)) > 0) received += (uint32_t)got;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    if (!failed && received > 0) result = ns / (double)sent;
  }
  if (rxfd >= 0) close(rxfd);
  if (txfd >= 0) close(txfd);
  napi_value value;
  napi_create_double(env, result, &value);
  return value;
}

// startCanaries(cpus: number[], intervalMicros) → how many run at real-time priority
// (gen_canary.c); their holds are reported per window by takeStats and takeTimeline.
static napi_value start_canaries(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  uint32_t count, interval;
  int cpus[CANARY_MAX];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_array_length(env, argv[0], &count) != napi_ok || count < 1 || count > CANARY_MAX ||
      napi_get_value_uint32(env, argv[1], &interval) != napi_ok)
    return throw_error(env, "startCanaries(cpus: 1-2 CPU numbers, intervalMicros)");
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int32_t cpu;
    if (napi_get_element(env, argv[0], i, &v) != napi_ok || napi_get_value_int32(env, v, &cpu) != napi_ok || cpu < 0 ||
        cpu >= CPU_SETSIZE)
      return throw_error(env, "startCanaries: a CPU number is not valid");
    cpus[i] = cpu;
  }
  int realtime = canaries_start(cpus, (int)count, interval);
  if (realtime < 0) return throw_error(env, "startCanaries: already running, or no thread");
  napi_create_int32(env, realtime, &result);
  return result;
}

static napi_value stop_canaries(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  canaries_stop();
  return NULL;
}

// stopReceiver(): wakes the thread and waits for it.
static napi_value stop_receiver(napi_env env, napi_callback_info info) {
  (void)info;
  if (!rx.running) return NULL;
  uint64_t one = 1;
  if (write(rx.wakefd, &one, sizeof one) < 0) return throw_error(env, "stopReceiver: wake failed");
  pthread_join(rx.thread, NULL);
  close(rx.epfd);
  close(rx.wakefd);
  rx.epfd = rx.wakefd = -1;
  free(rx.stats);
  rx.stats = NULL;
  free(rx.raw_buf);
  rx.timeline_len = 0;
  rx.raw_buf = NULL;
  room_keys_clear();
  rx.raw_len = rx.raw_cap = 0;
  rx.running = 0;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"calibrate", NULL, calibrate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_one, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeSocket", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startReceiver", NULL, start_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setWindow", NULL, set_window, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeStats", NULL, take_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeTimeline", NULL, take_timeline, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startCanaries", NULL, start_canaries, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopCanaries", NULL, stop_canaries, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeRaw", NULL, take_raw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeRawInto", NULL, take_raw_into, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopReceiver", NULL, stop_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setRoomKey", NULL, room_keys_set, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startSender", NULL, start_sender, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopSender", NULL, stop_sender, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
