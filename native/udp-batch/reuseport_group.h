// A group of UDP sockets on one address and port (SO_REUSEPORT) whose datagrams the kernel steers
// to a socket by room name: step one of docs/MULTICORE.md.
#ifndef TINCAN_REUSEPORT_GROUP_H
#define TINCAN_REUSEPORT_GROUP_H
#include <node_api.h>

// openReusePortGroup(ip, port, count, v6only) → [fd, …] (see reuseport_group.c).
napi_value reuseport_group_open(napi_env env, napi_callback_info info);

#endif
