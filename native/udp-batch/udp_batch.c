// Batched UDP for the relay: one sendmmsg(2) per chat message instead of one send call per
// recipient, and recvmmsg(2) reads of up to 64 datagrams per wake-up handed to JS in one call.
// Linux only; the server falls back to node:dgram where this is not built or not loaded.
// Node-API plus libuv's poll handle (the loop Node-API exposes); no V8 headers.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "reuseport_group.h"

// One recipient address per slot: a sockaddr_in or sockaddr_in6, zero-padded.
#define SLOT_BYTES 28
// Recipients per sendmmsg call; larger rooms take several calls.
#define CHUNK 64
// Largest count per call, so the result can carry both numbers.
#define MAX_COUNT 65535

// Recipients whose datagram the kernel refused (anything but EAGAIN), for the server's stats.
static double refused_total = 0;

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is_typed = false;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  size_t length, offset;
  napi_value ab;
  void *base;
  if (napi_get_typedarray_info(env, v, &type, &length, &base, &ab, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = base;
  *len = length;
  return 1;
}

static socklen_t slot_length(const uint8_t *slot) {
  sa_family_t family;
  memcpy(&family, slot, sizeof family);
  if (family == AF_INET) return sizeof(struct sockaddr_in);
  if (family == AF_INET6) return sizeof(struct sockaddr_in6);
  return 0;
}

// Sends iov to slot positions [0, count) except `skip`, then, when `extra_iov` is set, extra_iov to
// extra_slot as position `count`: all in as few sendmmsg calls as fit. Returns consumed + 65536 ×
// refused over positions [0, count + (extra ? 1 : 0)).
static double send_positions(uint32_t fd, struct iovec *iov, uint8_t *slots, uint32_t count, int32_t skip,
                             struct iovec *extra_iov, uint8_t *extra_slot) {
  struct mmsghdr msgs[CHUNK];
  uint32_t total = count + (extra_iov != NULL ? 1 : 0);
  // at: next slot position to send; msgs[k] holds slot positions pos[k].
  uint32_t at = 0, refused = 0, pos[CHUNK];
  while (at < total) {
    uint32_t n = 0;
    for (uint32_t i = at; i < total && n < CHUNK; i++) {
      if ((int32_t)i == skip) continue;
      uint8_t *slot = i < count ? slots + (size_t)i * SLOT_BYTES : extra_slot;
      memset(&msgs[n], 0, sizeof msgs[n]);
      msgs[n].msg_hdr.msg_name = slot;
      msgs[n].msg_hdr.msg_namelen = slot_length(slot);
      msgs[n].msg_hdr.msg_iov = i < count ? iov : extra_iov;
      msgs[n].msg_hdr.msg_iovlen = 1;
      pos[n++] = i;
    }
    if (n == 0) {
      at = total; // only the skipped slot was left
      break;
    }
    int sent = sendmmsg((int)fd, msgs, n, MSG_DONTWAIT);
    if (sent > 0) {
      at = pos[sent - 1] + 1;
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      at = pos[0]; // nothing of this chunk left: the rest is the caller's
      break;
    }
    // The first datagram of this chunk was refused (unreachable, bad address, closed fd…): skip it.
    refused++;
    at = pos[0] + 1;
  }
  refused_total += refused;
  return (double)at + 65536.0 * (double)refused;
}

// sendBatch(fd, data, length, slots, count, skip) → consumed + 65536 × refused. Sends the first
// `length` bytes of `data` (so the caller can build each message in one reused buffer) to the first
// `count` slots except slot `skip` (−1: none; the sender of a room's table). `consumed` slot positions
// were sent, refused by the kernel (unreachable, bad address…) or skipped; fewer than `count` means
// the socket's send buffer is full (EAGAIN) and the caller queues the rest the slow way.
//
// sendBatchThen(fd, data, length, slots, count, skip, extra, extraLength, extraSlot): the same, then
// extra[0, extraLength) to extraSlot as position `count` in the same calls (a sender's own reply
// after its room's copies: one system call where there were two).
static napi_value send_batch_common(napi_env env, napi_callback_info info, bool with_extra) {
  size_t argc = 9;
  napi_value argv[9];
  const char *usage = with_extra ? "sendBatchThen(fd: number, data: Uint8Array, length: number, slots: Uint8Array, count: number, skip: number, extra: Uint8Array, extraLength: number, extraSlot: Uint8Array)"
                                 : "sendBatch(fd: number, data: Uint8Array, length: number, slots: Uint8Array, count: number, skip: number)";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != (with_extra ? 9u : 6u)) return fail(env, usage);
  uint32_t fd, count, length;
  int32_t skip;
  uint8_t *data, *slots;
  size_t data_len, slots_len;
  if (!get_u32(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &data_len) || !get_u32(env, argv[2], &length) ||
      !get_bytes(env, argv[3], &slots, &slots_len) || !get_u32(env, argv[4], &count) || napi_get_value_int32(env, argv[5], &skip) != napi_ok) {
    return fail(env, usage);
  }
  if (length > data_len) return fail(env, "sendBatch: length exceeds data");
  // The extra datagram is one more position, and the result must still count them all.
  if ((size_t)count * SLOT_BYTES > slots_len || count + (with_extra ? 1u : 0u) > MAX_COUNT)
    return fail(env, "sendBatch: count exceeds the slots given or 65535 positions");
  struct iovec iov = {.iov_base = data, .iov_len = length};
  if (!with_extra) {
    napi_value result;
    napi_create_double(env, send_positions(fd, &iov, slots, count, skip, NULL, NULL), &result);
    return result;
  }
  uint8_t *extra, *extra_slot;
  size_t extra_len, extra_slot_len;
  uint32_t extra_length;
  if (!get_bytes(env, argv[6], &extra, &extra_len) || !get_u32(env, argv[7], &extra_length) ||
      !get_bytes(env, argv[8], &extra_slot, &extra_slot_len))
    return fail(env, usage);
  if (extra_length > extra_len) return fail(env, "sendBatchThen: extraLength exceeds extra");
  if (extra_slot_len < SLOT_BYTES || slot_length(extra_slot) == 0) return fail(env, "sendBatchThen: extraSlot is not a slot");
  struct iovec extra_iov = {.iov_base = extra, .iov_len = extra_length};
  napi_value result;
  napi_create_double(env, send_positions(fd, &iov, slots, count, skip, &extra_iov, extra_slot), &result);
  return result;
}

static napi_value send_batch(napi_env env, napi_callback_info info) { return send_batch_common(env, info, false); }

static napi_value send_batch_then(napi_env env, napi_callback_info info) { return send_batch_common(env, info, true); }

// packAddress(ip, port, v6socket) → a slot for that endpoint, or null when the text is not an IP
// literal this function understands (scoped IPv6 such as fe80::1%eth0 goes the slow way).
static napi_value pack_address(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) return fail(env, "packAddress(ip, port, v6socket)");
  char ip[INET6_ADDRSTRLEN + 8];
  size_t ip_len;
  uint32_t port;
  bool v6socket;
  if (napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &ip_len) != napi_ok || !get_u32(env, argv[1], &port) ||
      napi_get_value_bool(env, argv[2], &v6socket) != napi_ok || port == 0 || port > 65535) {
    return fail(env, "packAddress(ip: string, port: 1-65535, v6socket: boolean)");
  }
  uint8_t slot[SLOT_BYTES];
  memset(slot, 0, sizeof slot);
  struct in_addr v4;
  struct in6_addr v6;
  int ok = 1;
  if (inet_pton(AF_INET, ip, &v4) == 1) {
    if (v6socket) {
      // A dual-stack socket reaches IPv4 peers through IPv4-mapped IPv6 addresses.
      struct sockaddr_in6 *sa = (struct sockaddr_in6 *)slot;
      sa->sin6_family = AF_INET6;
      sa->sin6_port = htons((uint16_t)port);
      sa->sin6_addr.s6_addr[10] = 0xff;
      sa->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&sa->sin6_addr.s6_addr[12], &v4, 4);
    } else {
      struct sockaddr_in *sa = (struct sockaddr_in *)slot;
      sa->sin_family = AF_INET;
      sa->sin_port = htons((uint16_t)port);
      sa->sin_addr = v4;
    }
  } else if (v6socket && inet_pton(AF_INET6, ip, &v6) == 1) {
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)slot;
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons((uint16_t)port);
    sa->sin6_addr = v6;
  } else {
    ok = 0;
  }
  napi_value result;
  if (!ok) {
    napi_get_null(env, &result);
    return result;
  }
  void *copy;
  if (napi_create_buffer_copy(env, SLOT_BYTES, slot, &copy, &result) != napi_ok) return fail(env, "packAddress: out of memory");
  return result;
}

// refusedCount() → datagrams refused by the kernel since the module loaded (all sockets).
static napi_value refused_count(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_double(env, refused_total, &result);
  return result;
}


// ---- receiving -------------------------------------------------------------------------------
// JS gives a buffer of RX_BATCH slots of RX_SLOT bytes and an Int32Array of RX_META ints per slot:
// [length, truncated, family (4|6), port, address as 4 big-endian words, text length, 0] followed
// by the address text (inet_ntop) at RX_TEXT_AT in the slot. The callback gets the count.
#define RX_BATCH 64
#define RX_SLOT 4160
#define RX_DATA_MAX 4097
#define RX_TEXT_AT 4100
#define RX_META 10
// Batches per wake-up before yielding to the rest of the event loop.
#define RX_ROUNDS 4

typedef struct {
  uv_poll_t poll;
  int fd; // our own dup of the socket: libuv's UDP watcher keeps the original number
  napi_env env;
  napi_ref callback, buffer_ref, meta_ref;
  napi_async_context context;
  uint8_t *buffer;
  int32_t *meta;
  // Freed when both the poll handle is closed and the JS handle object is collected.
  int stopped, closed, finalized;
} receiver_t;

static void on_poll_closed(uv_handle_t *h) {
  receiver_t *r = (receiver_t *)h->data;
  r->closed = 1;
  if (r->finalized) free(r);
}

static void receiver_stop(receiver_t *r) {
  if (r->stopped) return;
  r->stopped = 1;
  uv_poll_stop(&r->poll);
  napi_delete_reference(r->env, r->callback);
  napi_delete_reference(r->env, r->buffer_ref);
  napi_delete_reference(r->env, r->meta_ref);
  napi_async_destroy(r->env, r->context);
  uv_close((uv_handle_t *)&r->poll, on_poll_closed);
  // uv_close has already taken the descriptor out of the loop's epoll set; close our dup now, not in
  // the close callback, so the port is free as soon as the socket's own close() returns.
  close(r->fd);
  r->fd = -1;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  receiver_t *r = (receiver_t *)h->data;
  (void)events;
  if (status < 0 || r->stopped) return;
  struct mmsghdr msgs[RX_BATCH];
  struct iovec iov[RX_BATCH];
  struct sockaddr_storage from[RX_BATCH];
  for (int round = 0; round < RX_ROUNDS && !r->stopped; round++) {
    for (int i = 0; i < RX_BATCH; i++) {
      iov[i].iov_base = r->buffer + (size_t)i * RX_SLOT;
      iov[i].iov_len = RX_DATA_MAX; // one byte more than the largest valid datagram: longer ones show as truncated
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int got = recvmmsg(r->fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
    if (got <= 0) return; // EAGAIN (drained) or an error the next wake-up will see again
    for (int i = 0; i < got; i++) {
      int32_t *m = r->meta + i * RX_META;
      uint8_t *slot = r->buffer + (size_t)i * RX_SLOT;
      char *text = (char *)slot + RX_TEXT_AT;
      m[0] = (int32_t)msgs[i].msg_len;
      m[1] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || msgs[i].msg_len >= RX_DATA_MAX;
      memset(&m[4], 0, 4 * sizeof(int32_t));
      if (from[i].ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&from[i];
        m[2] = 4;
        m[3] = ntohs(a->sin_port);
        m[4] = (int32_t)ntohl(a->sin_addr.s_addr);
        inet_ntop(AF_INET, &a->sin_addr, text, INET6_ADDRSTRLEN);
      } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&from[i];
        m[2] = 6;
        m[3] = ntohs(a->sin6_port);
        for (int w = 0; w < 4; w++) {
          uint32_t word;
          memcpy(&word, &a->sin6_addr.s6_addr[w * 4], 4);
          m[4 + w] = (int32_t)ntohl(word);
        }
        inet_ntop(AF_INET6, &a->sin6_addr, text, INET6_ADDRSTRLEN);
      }
      m[8] = (int32_t)strlen(text);
      m[9] = 0;
    }
    napi_handle_scope scope;
    napi_open_handle_scope(r->env, &scope);
    napi_value callback, recv_this, argv[1], result;
    napi_get_reference_value(r->env, r->callback, &callback);
    napi_get_global(r->env, &recv_this);
    napi_create_int32(r->env, got, &argv[0]);
    // Runs the callback like an I/O callback: process.nextTick and microtasks run after it.
    napi_status status = napi_make_callback(r->env, r->context, recv_this, callback, 1, argv, &result);
    if (status == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(r->env, &err);
      napi_fatal_exception(r->env, err);
    }
    napi_close_handle_scope(r->env, scope);
    if (got < RX_BATCH) return;
  }
}

static void finalize_receiver(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  receiver_t *r = data;
  r->finalized = 1;
  if (!r->stopped) receiver_stop(r); // the JS side dropped it without stop(): still release the socket
  else if (r->closed) free(r);
}

// startReceiver(fd, buffer, meta, callback) → receiver. The caller has stopped dgram's own reads;
// this reads a dup of the descriptor from the event loop instead (its own epoll entry, so dgram can
// still wait for writability on the original number).
static napi_value start_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  uint32_t fd;
  uint8_t *buffer;
  size_t buffer_len;
  void *meta;
  size_t meta_len, meta_offset;
  napi_typedarray_type type;
  napi_value ab;
  napi_valuetype cb_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4 || !get_u32(env, argv[0], &fd) ||
      !get_bytes(env, argv[1], &buffer, &buffer_len) ||
      napi_get_typedarray_info(env, argv[2], &type, &meta_len, &meta, &ab, &meta_offset) != napi_ok || type != napi_int32_array ||
      napi_typeof(env, argv[3], &cb_type) != napi_ok || cb_type != napi_function) {
    return fail(env, "startReceiver(fd, buffer: Uint8Array, meta: Int32Array, callback)");
  }
  if (buffer_len < (size_t)RX_BATCH * RX_SLOT || meta_len < (size_t)RX_BATCH * RX_META) return fail(env, "startReceiver: buffer or meta too small");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return fail(env, "startReceiver: no event loop");
  receiver_t *r = calloc(1, sizeof *r);
  if (!r) return fail(env, "startReceiver: out of memory");
  r->fd = dup((int)fd);
  if (r->fd < 0) {
    free(r);
    return fail(env, "startReceiver: dup failed");
  }
  r->env = env;
  r->buffer = buffer;
  r->meta = meta;
  napi_value name, resource;
  napi_create_string_utf8(env, "tincan:udp-receive", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &resource);
  if (napi_async_init(env, resource, name, &r->context) != napi_ok) {
    close(r->fd);
    free(r);
    return fail(env, "startReceiver: async context");
  }
  napi_create_reference(env, argv[3], 1, &r->callback);
  napi_create_reference(env, argv[1], 1, &r->buffer_ref);
  napi_create_reference(env, argv[2], 1, &r->meta_ref);
  if (uv_poll_init(loop, &r->poll, r->fd) != 0) {
    close(r->fd);
    free(r);
    return fail(env, "startReceiver: uv_poll_init failed");
  }
  r->poll.data = r;
  uv_poll_start(&r->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, r, finalize_receiver, NULL, &handle);
  return handle;
}

// stopReceiver(receiver): stops reading and closes the dup (the socket closes with dgram's close()).
static napi_value stop_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    return fail(env, "stopReceiver(receiver)");
  }
  receiver_stop((receiver_t *)data);
  return NULL;
}

static napi_value module_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sendBatch", NULL, send_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendBatchThen", NULL, send_batch_then, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packAddress", NULL, pack_address, NULL, NULL, NULL, napi_enumerable, NULL},
      {"refusedCount", NULL, refused_count, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startReceiver", NULL, start_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopReceiver", NULL, stop_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openReusePortGroup", NULL, reuseport_group_open, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value slot_bytes;
  napi_create_uint32(env, SLOT_BYTES, &slot_bytes);
  napi_set_named_property(env, exports, "SLOT_BYTES", slot_bytes);
  int32_t layout[] = {RX_BATCH, RX_SLOT, RX_META, RX_TEXT_AT, RX_DATA_MAX - 1};
  const char *names[] = {"RX_BATCH", "RX_SLOT", "RX_META", "RX_TEXT_AT", "RX_MAX_DATAGRAM"};
  for (int i = 0; i < 5; i++) {
    napi_value v;
    napi_create_int32(env, layout[i], &v);
    napi_set_named_property(env, exports, names[i], v);
  }
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE_INIT() { return module_init(env, exports); }
