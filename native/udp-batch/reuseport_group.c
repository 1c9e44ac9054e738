// A SO_REUSEPORT group of `count` UDP sockets bound to one address and port, with a classic BPF
// program that picks the socket for each datagram by its room name, so every datagram of a room
// reaches the same socket (and the worker that owns it) while clients see one endpoint.
//
// The kernel runs the program with the UDP payload at offset 0: [roomLen][tokenLen][room…]. It
// computes 32-bit FNV-1a over the first min(roomLen, ROOM_HASH_BYTES) room bytes and returns
// hash % count. src-main/engine/server/room-shard.ts computes the same number for the TCRP side; a
// test checks that the two agree. A datagram too short for the bytes the program reads makes it
// return 0 (socket 0), and roomLen 0 hashes nothing (the seed % count): malformed datagrams still
// reach a socket, whose relay rejects them as it does today.
#define _GNU_SOURCE
#include "reuseport_group.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define ROOM_HASH_BYTES 8
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
#define GROUP_MAX 64
// 2 to seed, 8 per hashed byte, 3 to finish.
#define PROGRAM_MAX (2 + 8 * ROOM_HASH_BYTES + 3)

static napi_value group_fail(napi_env env, const char *what, int err) {
  char message[160];
  if (err) snprintf(message, sizeof message, "openReusePortGroup: %s: %s", what, strerror(err));
  else snprintf(message, sizeof message, "openReusePortGroup: %s failed", what);
  // EADDRINUSE by name: a server on port 0 picks another port when UDP's is taken.
  napi_throw_error(env, err == EADDRINUSE ? "EADDRINUSE" : err ? "ESYSCALL" : NULL, message);
  return NULL;
}

// Builds the steering program for a group of `count` sockets; returns its length.
static unsigned steering_program(struct sock_filter *p, uint32_t count) {
  unsigned n = 0;
  const unsigned done = 2 + 8 * ROOM_HASH_BYTES; // index of the first finishing instruction
  p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, FNV_OFFSET);
  p[n++] = (struct sock_filter)BPF_STMT(BPF_ST, 0); // M[0] = hash
  for (unsigned i = 0; i < ROOM_HASH_BYTES; i++) {
    p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0); // A = roomLen
    // Jumps count from the next instruction: roomLen > i goes on, otherwise to the finish.
    const unsigned at = n++;
    p[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, i, 0, (uint8_t)(done - at - 1));
    p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 2 + i);                  // A = room[i]
    p[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);                            // X = room[i]
    p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_MEM, 0);                              // A = hash
    p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0);                     // hash ^= room[i]
    p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, FNV_PRIME);             // hash *= prime
    p[n++] = (struct sock_filter)BPF_STMT(BPF_ST, 0);
  }
  p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_MEM, 0);
  p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, count);
  p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
  return n;
}

static void close_all(int *fds, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) close(fds[i]);
}

// SO_REUSEPORT would let the group join sockets another process (of the same user) already has on
// the port, and replace their steering program: first take the port with a plain socket, which fails
// if anything is bound there, and (for port 0) learn a port that is really free.
static int claim_port(struct sockaddr_storage *addr, socklen_t addr_len, bool v6only) {
  int fd = socket(addr->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int v6 = v6only ? 1 : 0;
  int err = 0;
  if (addr->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6) != 0) err = errno;
  if (!err && bind(fd, (struct sockaddr *)addr, addr_len) != 0) err = errno;
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (!err && getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) err = errno;
  if (!err) {
    if (addr->ss_family == AF_INET) ((struct sockaddr_in *)addr)->sin_port = ((struct sockaddr_in *)&bound)->sin_port;
    else ((struct sockaddr_in6 *)addr)->sin6_port = ((struct sockaddr_in6 *)&bound)->sin6_port;
  }
  close(fd);
  return err;
}

// openReusePortGroup(ip, port, count, v6only) → [fd, …]: `count` (1–64) non-blocking UDP sockets
// bound to ip:port in this order (port 0: a free port is picked first), refused if anything is bound
// there already, the steering program attached to the group. Socket i receives the rooms whose
// hash % count is i. The caller owns the descriptors (node:dgram can adopt one with
// bind({ fd })). Throws on any failure, with nothing left open.
napi_value reuseport_group_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char ip[INET6_ADDRSTRLEN + 1];
  size_t ip_len;
  uint32_t port, count;
  bool v6only;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4 ||
      napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &ip_len) != napi_ok || napi_get_value_uint32(env, argv[1], &port) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &count) != napi_ok || napi_get_value_bool(env, argv[3], &v6only) != napi_ok || port > 65535 ||
      count == 0 || count > GROUP_MAX) {
    napi_throw_type_error(env, NULL, "openReusePortGroup(ip: string, port: 0-65535, count: 1-64, v6only: boolean)");
    return NULL;
  }
  struct sockaddr_storage addr;
  socklen_t addr_len;
  memset(&addr, 0, sizeof addr);
  struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
  if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    addr_len = sizeof *a4;
  } else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    addr_len = sizeof *a6;
  } else {
    napi_throw_type_error(env, NULL, "openReusePortGroup: ip must be an IPv4 or IPv6 literal");
    return NULL;
  }

  int claim = claim_port(&addr, addr_len, v6only);
  if (claim != 0) return group_fail(env, "bind", claim);

  int fds[GROUP_MAX];
  uint32_t open_count = 0;
  const int one = 1;
  for (uint32_t i = 0; i < count; i++) {
    int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      int err = errno;
      close_all(fds, open_count);
      return group_fail(env, "socket", err);
    }
    fds[open_count++] = fd;
    int v6 = v6only ? 1 : 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        (addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6) != 0)) {
      int err = errno;
      close_all(fds, open_count);
      return group_fail(env, "setsockopt", err);
    }
    if (bind(fd, (struct sockaddr *)&addr, addr_len) != 0) {
      int err = errno;
      close_all(fds, open_count);
      return group_fail(env, "bind", err);
    }
    if (i == 0) {
      struct sock_filter program[PROGRAM_MAX];
      struct sock_fprog fprog = {.len = (unsigned short)steering_program(program, count), .filter = program};
      if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fprog, sizeof fprog) != 0) {
        int err = errno;
        close_all(fds, open_count);
        return group_fail(env, "attach steering program", err);
      }
    }
  }
  napi_value result;
  bool ok = napi_create_array_with_length(env, count, &result) == napi_ok;
  for (uint32_t i = 0; ok && i < count; i++) {
    napi_value fd;
    ok = napi_create_int32(env, fds[i], &fd) == napi_ok && napi_set_element(env, result, i, fd) == napi_ok;
  }
  if (!ok) {
    close_all(fds, open_count);
    return group_fail(env, "returning the descriptors", 0);
  }
  return result;
}
