// Bench-only: sealed datagrams on the generator's threads (gen_sealed.c): the receive thread opens
// what the relay seals under room keys, the paced sender seals the encrypted members' chat.
#ifndef GEN_SEALED_H
#define GEN_SEALED_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

// What room_keys_open made of a datagram.
enum {
  ROOM_OPEN_NOT_MINE = 0, // not under a room key this thread holds for the socket: JS opens it
  ROOM_OPEN_OK = 1,       // authentic and fresh: the message is at *message, *message_len bytes
  ROOM_OPEN_BAD_TAG = 2,  // under the held key's epoch, but the tag does not verify
  ROOM_OPEN_REPLAYED = 3, // a counter already accepted, or too old for the window
  ROOM_OPEN_MALFORMED = 4 // authentic, but the length prefix runs past the plaintext
};

// Opens datagram b[0, len) that arrived on `fd` in place when it is sealed under the room key held
// for that socket. Call with the receive lock held (setRoomKey takes it too).
int room_keys_open(int fd, uint8_t *b, size_t len, const uint8_t **message, size_t *message_len);

// setRoomKey(fd, cipherId, epoch, key, iv): from now on the thread opens `fd`'s datagrams of that
// epoch; an older key for the socket is dropped (JS still opens the older epoch's stragglers).
napi_value room_keys_set(napi_env env, napi_callback_info info);

// Drops `fd`'s key (its socket is closed); call with the receive lock held.
void room_keys_forget(int fd);

// Frees every key (stopReceiver, after the thread has stopped).
void room_keys_clear(void);

// One member's client → server sealing on the paced sender thread: its key, IV, session id and the
// counters [next, end) its session lent (SealedChannel.lendCounters).
typedef struct {
  void *ctx; // EVP_CIPHER_CTX
  uint8_t cipher;
  uint8_t iv[12];
  uint8_t session[8];
  uint32_t padded; // plaintext bytes per datagram: length prefix, message, zero padding
  uint64_t next, end;
} member_sealing_t;

// A member's record in startSender's `sealing` buffer, little-endian: cipher (1), 3 zero bytes,
// padded (u32), first counter (f64), count (f64), key (32), IV (12), session id (8).
#define SEALING_RECORD_BYTES 76

// Keys `m` from a record; 0 when OpenSSL refuses it or the record is out of range.
int member_sealing_init(member_sealing_t *m, const uint8_t *record);

// Seals message[0, len) as a client sealed datagram into out; returns its length, or -1 when the
// lent counters are spent or the message does not fit.
int member_seal(member_sealing_t *m, const uint8_t *message, uint32_t len, uint8_t *out, size_t out_cap);

void member_sealing_free(member_sealing_t *m);

// The receive lock, defined in gen_udp.c.
void gen_rx_lock(void);
void gen_rx_unlock(void);
#endif
