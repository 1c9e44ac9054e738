// Batched UDP sends for the relay: one sendmmsg(2) per chat message instead of one send call per
// recipient. Linux only; the server falls back to node:dgram where this is not built or not loaded.
// Node-API only (no V8/libuv headers), so one binary loads in any Node or Electron of the same arch.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

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

// sendBatch(fd, data, slots, count, skip) → consumed + 65536 × refused. Sends `data` to the first
// `count` slots except slot `skip` (−1: none; the sender of a room's table). `consumed` slot positions
// were sent, refused by the kernel (unreachable, bad address…) or skipped; fewer than `count` means
// the socket's send buffer is full (EAGAIN) and the caller queues the rest the slow way.
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) return fail(env, "sendBatch(fd, data, slots, count, skip)");
  uint32_t fd, count;
  int32_t skip;
  uint8_t *data, *slots;
  size_t data_len, slots_len;
  if (!get_u32(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &data_len) || !get_bytes(env, argv[2], &slots, &slots_len) ||
      !get_u32(env, argv[3], &count) || napi_get_value_int32(env, argv[4], &skip) != napi_ok) {
    return fail(env, "sendBatch(fd: number, data: Uint8Array, slots: Uint8Array, count: number, skip: number)");
  }
  if ((size_t)count * SLOT_BYTES > slots_len || count > MAX_COUNT) return fail(env, "sendBatch: count exceeds the slots given or 65535");

  struct iovec iov = {.iov_base = data, .iov_len = data_len};
  struct mmsghdr msgs[CHUNK];
  // at: next slot position to send; msgs[k] holds slot positions pos[k].
  uint32_t at = 0, refused = 0, pos[CHUNK];
  while (at < count) {
    uint32_t n = 0;
    for (uint32_t i = at; i < count && n < CHUNK; i++) {
      if ((int32_t)i == skip) continue;
      uint8_t *slot = slots + (size_t)i * SLOT_BYTES;
      memset(&msgs[n], 0, sizeof msgs[n]);
      msgs[n].msg_hdr.msg_name = slot;
      msgs[n].msg_hdr.msg_namelen = slot_length(slot);
      msgs[n].msg_hdr.msg_iov = &iov;
      msgs[n].msg_hdr.msg_iovlen = 1;
      pos[n++] = i;
    }
    if (n == 0) {
      at = count; // only the skipped slot was left
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
  napi_value result;
  napi_create_double(env, (double)at + 65536.0 * (double)refused, &result);
  return result;
}

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

static napi_value module_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sendBatch", NULL, send_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packAddress", NULL, pack_address, NULL, NULL, NULL, napi_enumerable, NULL},
      {"refusedCount", NULL, refused_count, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value slot_bytes;
  napi_create_uint32(env, SLOT_BYTES, &slot_bytes);
  napi_set_named_property(env, exports, "SLOT_BYTES", slot_bytes);
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE_INIT() { return module_init(env, exports); }
