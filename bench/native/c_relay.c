// Bench-only: a third reference relay, the UDP half written in C with recvmmsg/sendmmsg — the kind of
// relay issue #5 quotes at ~37 % of a core for the spec workload and ~30,000 datagrams/s in. Measured
// on the same machine it turns our own numbers into a fraction of what compiled code reaches here.
// Node does the TCRP handshake (bench/c-relay.ts) and registers each member; one thread owns the UDP
// socket: it reads up to BATCH datagrams per recvmmsg, finds the member by its token in an open-addressed
// table, checks room and source IP, does the per-message work the real relay does (last-seen time,
// commands, UTF-8 check, rate limit; oversized datagrams dropped), builds each line once and sends every
// line of a batch with as few sendmmsg calls as they fit in. IPv4, loopback benchmarking only: not
// hardened.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define DGRAM_MAX 4096
#define OUT_MAX 1024 // UIO_MAXIOV: the most one sendmmsg takes
#define TOKEN_MAX 64
#define NAME_MAX_BYTES 64
#define ROOM_MAX 255
#define TABLE_BITS 17 // token table slots: 131,072 (members at most half of that)
#define MEMBERS_MAX (1 << (TABLE_BITS - 1))
#define LINE_MAX_BYTES (NAME_MAX_BYTES + 2 + DGRAM_MAX)
#define COMMAND_MAX 16 // "/leave" and "/close" with trailing whitespace, as the real relay compares

typedef struct {
  uint8_t token[TOKEN_MAX];
  uint8_t prefix[NAME_MAX_BYTES + 2]; // "name: "
  uint32_t token_len, prefix_len, room;
  struct in_addr ip; // the address that did the handshake
  struct sockaddr_in endpoint; // learned from the first datagram; port 0 = not yet
  double last_seen, bucket_tokens, bucket_at; // ms; the rate limit's token bucket
} member_t;

typedef struct {
  uint8_t name[ROOM_MAX];
  uint32_t name_len, count, cap;
  uint32_t *members;
} room_t;

static struct {
  pthread_t thread;
  int running, fd, wakefd;
  int stop; // set by stop(), read by the thread every round (atomics)
  double rate, burst; // messages per second per member, and the bucket's size
  pthread_mutex_t lock; // members and rooms: added by JS, read by the thread once per batch
  member_t *members;
  uint32_t member_count;
  room_t *rooms;
  uint32_t room_count, room_cap;
  uint32_t *table; // member index + 1; 0 = empty
  uint64_t in, out, dropped; // counters, updated by the thread with atomics
} relay = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .wakefd = -1};

static uint32_t fnv1a(const uint8_t *p, uint32_t n) {
  uint32_t h = 0x811c9dc5u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

static member_t *find_member(const uint8_t *token, uint32_t len) {
  uint32_t mask = (1u << TABLE_BITS) - 1;
  for (uint32_t i = fnv1a(token, len) & mask;; i = (i + 1) & mask) {
    uint32_t slot = relay.table[i];
    if (slot == 0) return NULL;
    member_t *m = &relay.members[slot - 1];
    if (m->token_len == len && memcmp(m->token, token, len) == 0) return m;
  }
}

// Outgoing datagrams of one receive batch: lines in an arena, one header per recipient.
static uint8_t lines[BATCH * 2][LINE_MAX_BYTES];
static struct mmsghdr out_msgs[OUT_MAX];
static struct iovec out_iov[OUT_MAX];
static unsigned out_count;

static void flush(void) {
  unsigned sent = 0, failed = 0;
  while (sent < out_count) {
    int k = sendmmsg(relay.fd, out_msgs + sent, out_count - sent, 0);
    if (k > 0) {
      sent += (unsigned)k;
    } else if (errno == EAGAIN || errno == ENOBUFS) {
      struct pollfd p = {.fd = relay.fd, .events = POLLOUT};
      poll(&p, 1, 10);
    } else if (errno != EINTR) {
      sent++; // this recipient's send failed: skip it, keep the rest
      failed++;
    }
  }
  __atomic_fetch_add(&relay.out, out_count - failed, __ATOMIC_RELAXED);
  __atomic_fetch_add(&relay.dropped, failed, __ATOMIC_RELAXED);
  out_count = 0;
}

// Queues `line` for everyone in `from`'s room who has an endpoint, except `from`. Called with the lock
// held; a full queue is sent without it (queued entries point into members, which never move).
static void queue_for_room(const member_t *from, const uint8_t *line, uint32_t len) {
  const room_t *room = &relay.rooms[from->room];
  for (uint32_t i = 0; i < room->count; i++) {
    const member_t *to = &relay.members[room->members[i]];
    if (to == from || to->endpoint.sin_port == 0) continue;
    if (out_count == OUT_MAX) {
      pthread_mutex_unlock(&relay.lock);
      flush();
      pthread_mutex_lock(&relay.lock);
      room = &relay.rooms[from->room]; // addRoom may have moved the array meanwhile
    }
    out_iov[out_count].iov_base = (void *)line;
    out_iov[out_count].iov_len = len;
    memset(&out_msgs[out_count].msg_hdr, 0, sizeof out_msgs[out_count].msg_hdr);
    out_msgs[out_count].msg_hdr.msg_name = (void *)&to->endpoint;
    out_msgs[out_count].msg_hdr.msg_namelen = sizeof to->endpoint;
    out_msgs[out_count].msg_hdr.msg_iov = &out_iov[out_count];
    out_msgs[out_count].msg_hdr.msg_iovlen = 1;
    out_count++;
  }
}

// Whether p[0, n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
static int is_utf8(const uint8_t *p, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    uint32_t need, cp;
    if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07;
    else return 0;
    if (i + need >= n) return 0; // the sequence runs past the end
    for (uint32_t k = 1; k <= need; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    i += need + 1;
  }
  return 1;
}

// "/leave" or "/close" (trailing CR, LF and spaces ignored): the reference only recognises them.
static int is_command(const uint8_t *p, uint32_t n) {
  while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ')) n--;
  return n == 6 && (memcmp(p, "/leave", 6) == 0 || memcmp(p, "/close", 6) == 0);
}

static int take_token(member_t *m, double now) {
  double elapsed = now - m->bucket_at;
  if (elapsed > 0) {
    m->bucket_tokens += elapsed * relay.rate / 1000;
    if (m->bucket_tokens > relay.burst) m->bucket_tokens = relay.burst;
    m->bucket_at = now;
  }
  if (m->bucket_tokens < 1) return 0;
  m->bucket_tokens -= 1;
  return 1;
}

// One client datagram: [roomLen][tokenLen][room][token][text]. `slot` picks two arena lines.
static void handle(const uint8_t *d, uint32_t len, const struct sockaddr_in *from, unsigned slot, double now) {
  if (len < 2 || len > DGRAM_MAX) return;
  uint32_t room_len = d[0], token_len = d[1], text_at = 2 + room_len + token_len;
  if (token_len == 0 || token_len > TOKEN_MAX || text_at > len) return;
  member_t *m = find_member(d + 2 + room_len, token_len);
  if (m == NULL || m->ip.s_addr != from->sin_addr.s_addr) return;
  const room_t *room = &relay.rooms[m->room];
  if (room->name_len != room_len || memcmp(room->name, d + 2, room_len) != 0) return;
  m->last_seen = now;
  if (m->endpoint.sin_port != from->sin_port || m->endpoint.sin_addr.s_addr != from->sin_addr.s_addr) {
    int is_new = m->endpoint.sin_port == 0;
    m->endpoint = *from;
    if (is_new) {
      uint8_t *line = lines[slot * 2 + 1];
      uint32_t n = 2;
      memcpy(line, "* ", 2);
      memcpy(line + n, m->prefix, m->prefix_len - 2);
      n += m->prefix_len - 2;
      memcpy(line + n, " joined the room", 16);
      queue_for_room(m, line, n + 16);
    }
  }
  if (text_at == len) return; // keep-alive
  const uint8_t *text = d + text_at;
  uint32_t text_len = len - text_at;
  if (text[0] == '/' && text_len <= COMMAND_MAX && is_command(text, text_len)) return;
  if (!is_utf8(text, text_len) || !take_token(m, now)) return;
  uint8_t *line = lines[slot * 2];
  memcpy(line, m->prefix, m->prefix_len);
  memcpy(line + m->prefix_len, d + text_at, len - text_at);
  queue_for_room(m, line, m->prefix_len + len - text_at);
}

static void *relay_loop(void *arg) {
  (void)arg;
  static uint8_t bufs[BATCH][DGRAM_MAX + 1]; // one byte more: a longer datagram shows as too long
  static struct sockaddr_in names[BATCH];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  while (!__atomic_load_n(&relay.stop, __ATOMIC_RELAXED)) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = DGRAM_MAX + 1;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof names[i];
    }
    int got = recvmmsg(relay.fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (got <= 0) {
      if (got < 0 && errno != EAGAIN && errno != EINTR) break;
      struct pollfd p[2] = {{.fd = relay.fd, .events = POLLIN}, {.fd = relay.wakefd, .events = POLLIN}};
      if (poll(p, 2, -1) < 0 && errno != EINTR) break;
      if (p[1].revents) break;
      continue;
    }
    __atomic_fetch_add(&relay.in, (uint64_t)got, __ATOMIC_RELAXED);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    double now = (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
    pthread_mutex_lock(&relay.lock);
    for (int i = 0; i < got; i++) {
      if (msgs[i].msg_hdr.msg_namelen == sizeof names[i]) handle(bufs[i], msgs[i].msg_len, &names[i], (unsigned)i, now);
    }
    pthread_mutex_unlock(&relay.lock);
    flush();
  }
  return NULL;
}

// Closes and frees whatever start() got (also after a failed start).
static void release(void) {
  if (relay.fd >= 0) close(relay.fd);
  if (relay.wakefd >= 0) close(relay.wakefd);
  relay.fd = relay.wakefd = -1;
  for (uint32_t i = 0; i < relay.room_count; i++) free(relay.rooms[i].members);
  free(relay.rooms);
  free(relay.members);
  free(relay.table);
  relay.rooms = NULL;
  relay.members = NULL;
  relay.table = NULL;
  relay.room_count = relay.room_cap = relay.member_count = 0;
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

// start(host: string, port: number, messagesPerSecond: number, threadName: string): binds the UDP
// socket, starts the thread under that name.
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char host[64];
  size_t host_len;
  int32_t port;
  double rate;
  // The relay thread's name: at most 15 bytes (the kernel's limit), longer names are cut.
  char thread_name[16];
  size_t thread_name_len;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || napi_get_value_double(env, argv[2], &rate) != napi_ok || !(rate > 0) ||
      napi_get_value_string_utf8(env, argv[3], thread_name, sizeof thread_name, &thread_name_len) != napi_ok)
    return throw_error(env, "start(host, port, messagesPerSecond, threadName)");
  if (relay.running) return throw_error(env, "start: already running");
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &at.sin_addr) != 1) return throw_error(env, "start: IPv4 host expected");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_error(env, "start: no socket");
  int buffer = 4 * 1024 * 1024; // the kernel buffers the real server and the other references ask for
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  if (bind(fd, (struct sockaddr *)&at, sizeof at) != 0) {
    close(fd);
    return throw_error(env, "start: cannot bind the UDP socket");
  }
  relay.members = calloc(MEMBERS_MAX, sizeof *relay.members);
  relay.table = calloc((size_t)1 << TABLE_BITS, sizeof *relay.table);
  relay.wakefd = eventfd(0, EFD_CLOEXEC);
  relay.fd = fd;
  relay.member_count = relay.room_count = 0;
  relay.in = relay.out = relay.dropped = 0;
  relay.stop = 0;
  relay.rate = rate;
  relay.burst = rate * 4; // as the real server's bucket
  if (relay.members == NULL || relay.table == NULL || relay.wakefd < 0 || pthread_create(&relay.thread, NULL, relay_loop, NULL) != 0) {
    release();
    return throw_error(env, "start: out of memory or no thread");
  }
  // Named, so that a pinned bench run can raise this thread alone to real-time priority (see
  // RelayHandle.setRealtime in bench/relay-handle.ts).
  pthread_setname_np(relay.thread, thread_name);
  relay.running = 1;
  return NULL;
}

static int buffer_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

// addRoom(name: Buffer): the new room's index (JS keeps the name → index map).
static napi_value add_room(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *name;
  size_t len;
  if (argc < 1 || !buffer_arg(env, argv[0], &name, &len)) return throw_error(env, "addRoom(name)");
  if (!relay.running) return throw_error(env, "addRoom: not started");
  if (len == 0 || len > ROOM_MAX) return throw_error(env, "addRoom: name size out of range");
  pthread_mutex_lock(&relay.lock);
  if (relay.room_count == relay.room_cap) {
    uint32_t cap = relay.room_cap ? relay.room_cap * 2 : 256;
    room_t *grown = realloc(relay.rooms, cap * sizeof *grown);
    if (grown == NULL) {
      pthread_mutex_unlock(&relay.lock);
      return throw_error(env, "addRoom: out of memory");
    }
    relay.rooms = grown;
    relay.room_cap = cap;
  }
  room_t *r = &relay.rooms[relay.room_count];
  memset(r, 0, sizeof *r);
  memcpy(r->name, name, len);
  r->name_len = (uint32_t)len;
  uint32_t index = relay.room_count++;
  pthread_mutex_unlock(&relay.lock);
  napi_value result;
  napi_create_uint32(env, index, &result);
  return result;
}

// addMember(token: Buffer, room: number, name: Buffer, ip: string): a member the handshake admitted.
static napi_value add_member(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *token, *name;
  size_t token_len, name_len, ip_len;
  uint32_t r;
  char ip[64];
  if (argc < 4 || !buffer_arg(env, argv[0], &token, &token_len) || napi_get_value_uint32(env, argv[1], &r) != napi_ok ||
      !buffer_arg(env, argv[2], &name, &name_len) || napi_get_value_string_utf8(env, argv[3], ip, sizeof ip, &ip_len) != napi_ok)
    return throw_error(env, "addMember(token, room, name, ip)");
  if (!relay.running) return throw_error(env, "addMember: not started");
  if (token_len == 0 || token_len > TOKEN_MAX || name_len > NAME_MAX_BYTES) return throw_error(env, "addMember: sizes out of range");
  struct in_addr addr;
  if (inet_pton(AF_INET, ip, &addr) != 1) return throw_error(env, "addMember: IPv4 address expected");
  pthread_mutex_lock(&relay.lock);
  napi_value result = NULL;
  room_t *rm = r < relay.room_count ? &relay.rooms[r] : NULL;
  if (rm != NULL && rm->count == rm->cap) {
    uint32_t cap = rm->cap ? rm->cap * 2 : 16;
    uint32_t *grown = realloc(rm->members, cap * sizeof *grown);
    if (grown == NULL) rm = NULL;
    else {
      rm->members = grown;
      rm->cap = cap;
    }
  }
  if (rm == NULL || relay.member_count == MEMBERS_MAX || find_member(token, (uint32_t)token_len) != NULL) {
    pthread_mutex_unlock(&relay.lock);
    return throw_error(env, "addMember: unknown room, table full, out of memory or token taken");
  }
  uint32_t index = relay.member_count++;
  member_t *m = &relay.members[index];
  memset(m, 0, sizeof *m);
  memcpy(m->token, token, token_len);
  m->token_len = (uint32_t)token_len;
  memcpy(m->prefix, name, name_len);
  memcpy(m->prefix + name_len, ": ", 2);
  m->prefix_len = (uint32_t)name_len + 2;
  m->room = r;
  m->ip = addr;
  rm->members[rm->count++] = index;
  uint32_t mask = (1u << TABLE_BITS) - 1;
  uint32_t i = fnv1a(token, (uint32_t)token_len) & mask;
  while (relay.table[i] != 0) i = (i + 1) & mask;
  relay.table[i] = index + 1;
  pthread_mutex_unlock(&relay.lock);
  return result;
}

static void set_number(napi_env env, napi_value obj, const char *key, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, key, v);
}

// stats(): {datagramsIn, datagramsOut, sendFailures, rooms, members}.
static napi_value stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj;
  napi_create_object(env, &obj);
  pthread_mutex_lock(&relay.lock);
  set_number(env, obj, "datagramsIn", (double)__atomic_load_n(&relay.in, __ATOMIC_RELAXED));
  set_number(env, obj, "datagramsOut", (double)__atomic_load_n(&relay.out, __ATOMIC_RELAXED));
  set_number(env, obj, "sendFailures", (double)__atomic_load_n(&relay.dropped, __ATOMIC_RELAXED));
  set_number(env, obj, "rooms", relay.room_count);
  set_number(env, obj, "members", relay.member_count);
  pthread_mutex_unlock(&relay.lock);
  return obj;
}

// stop(): wakes the thread, waits for it and frees everything.
static napi_value stop(napi_env env, napi_callback_info info) {
  (void)info;
  if (!relay.running) return NULL;
  // The flag ends a thread that is busy (it never waits for the wake-up while datagrams keep coming).
  __atomic_store_n(&relay.stop, 1, __ATOMIC_RELAXED);
  uint64_t one = 1;
  if (write(relay.wakefd, &one, sizeof one) < 0) return throw_error(env, "stop: wake failed");
  pthread_join(relay.thread, NULL);
  release();
  relay.running = 0;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addRoom", NULL, add_room, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addMember", NULL, add_member, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
