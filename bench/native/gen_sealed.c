// Bench-only: sealed datagrams on the generator's C threads. With 5,000 encrypted members the
// relay's ~90,000 room datagrams a second were all handed to JS to open, and every chat message was
// sealed and sent from the JS tick: the generator took ~75 % of one of this machine's two cores,
// and the relay it measures waited for the CPU (its latency tail grew with the generator's load,
// not its own). Here the receive thread opens what is sealed under a room key, and the paced sender
// seals each member's chat, as it sends clear members' chat. What the server seals under a member's
// own key (ACKs, PONGs, new room keys) still goes to JS, which takes each new room key and passes
// it on (setRoomKey); sealing uses counters the member's session lent (SealedChannel.lendCounters),
// so no counter is ever used twice under one key. Same bytes as src-main/engine/sealed: header as
// associated data, nonce = IV XOR counter, 16-byte tag, a plaintext of a 2-byte length, the message
// and zero padding. Replay on the receiving side: a 64-counter window per socket. Sockets holding the
// same room key share it (see shared_key_t): one decryption per room datagram, not one per copy.
#include "gen_sealed.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define SEALED_SERVER_MARKER 0xfd
#define SEALED_CLIENT_MARKER 0xfe
#define CLIENT_HEADER_BYTES 18
#define HEADER_BYTES 14
#define COUNTER_AT 6
#define TAG_BYTES 16
#define IV_BYTES 12
#define KEY_BYTES 32
#define LENGTH_BYTES 2
#define WINDOW 64
// Sockets are numbered below this (the generator opens ~5,000 and the process has few other fds).
#define FD_LIMIT 65536

// The datagrams a room key opened last, by counter: datagram bytes kept per slot, and slots.
#define OPENED_BYTES 192
#define OPENED_SLOTS 16

// One room key, shared by every socket that holds it: one OpenSSL context, and the datagrams it
// opened last. The relay seals each room message once and sends the same bytes to every member, so
// the other members' copies are matched byte for byte against the one that was opened (same key,
// same bytes: the same authentic plaintext) instead of being decrypted again, nine times a message.
// Each socket still has a replay window of its own.
typedef struct {
  int used;
  uint64_t counter;
  size_t len;                     // datagram bytes
  size_t message_at, message_len; // the message inside `plain`
  uint8_t sealed[OPENED_BYTES];   // the datagram as it arrived
  uint8_t plain[OPENED_BYTES];    // the same bytes opened
} opened_t;

typedef struct shared_key {
  EVP_CIPHER_CTX *ctx;
  uint32_t epoch;
  uint8_t cipher;
  uint8_t key[KEY_BYTES];
  uint8_t iv[IV_BYTES];
  int refs; // sockets holding it
  struct shared_key *next;
  opened_t opened[OPENED_SLOTS];
} shared_key_t;

// Room keys held by some socket (a few per room: the current epoch and ones not yet forgotten).
static shared_key_t *shared_keys;

typedef struct {
  shared_key_t *shared;
  uint64_t top;  // highest counter accepted
  uint64_t seen; // bit i: counter top − i accepted
  int any;       // a counter was accepted
} room_key_t;

static room_key_t *keys[FD_LIMIT];

static uint64_t read_be64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

static void write_be64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

static const EVP_CIPHER *cipher_of(uint32_t id) {
  return id == 1 ? EVP_aes_256_gcm() : id == 2 ? EVP_chacha20_poly1305() : NULL;
}

// A context for `cipher` keyed with key (32 bytes); `encrypt` 1 seals, 0 opens. NULL on failure.
static EVP_CIPHER_CTX *keyed_context(const EVP_CIPHER *cipher, const uint8_t *key, int encrypt) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL) return NULL;
  if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, encrypt) != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, IV_BYTES, NULL) != 1 ||
      EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, encrypt) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

static void nonce_for(const uint8_t *iv, uint64_t counter, uint8_t *nonce) {
  memcpy(nonce, iv, IV_BYTES);
  for (int i = 0; i < 8; i++) nonce[IV_BYTES - 1 - i] ^= (uint8_t)(counter >> (8 * i));
}

static uint32_t read_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int fresh(const room_key_t *k, uint64_t counter) {
  if (!k->any || counter > k->top) return 1;
  uint64_t back = k->top - counter;
  return back < WINDOW && !(k->seen & ((uint64_t)1 << back));
}

static void accept_counter(room_key_t *k, uint64_t counter) {
  if (!k->any) {
    k->any = 1, k->top = counter, k->seen = 1;
  } else if (counter > k->top) {
    uint64_t shift = counter - k->top;
    k->seen = shift >= WINDOW ? 1 : (k->seen << shift) | 1;
    k->top = counter;
  } else {
    k->seen |= (uint64_t)1 << (k->top - counter);
  }
}

int room_keys_open(int fd, uint8_t *b, size_t len, const uint8_t **message, size_t *message_len) {
  if (fd < 0 || fd >= FD_LIMIT || keys[fd] == NULL) return ROOM_OPEN_NOT_MINE;
  room_key_t *k = keys[fd];
  shared_key_t *shared = k->shared;
  if (len < HEADER_BYTES + LENGTH_BYTES + TAG_BYTES || b[0] != SEALED_SERVER_MARKER || b[1] != shared->cipher ||
      read_be32(b + 2) != shared->epoch)
    return ROOM_OPEN_NOT_MINE;
  uint64_t counter = read_be64(b + COUNTER_AT);
  if (!fresh(k, counter)) return ROOM_OPEN_REPLAYED;
  opened_t *slot = &shared->opened[counter % OPENED_SLOTS];
  if (slot->used && slot->counter == counter && slot->len == len && memcmp(slot->sealed, b, len) == 0) {
    // Another member's copy of a datagram this key opened: the very same bytes.
    accept_counter(k, counter);
    *message = slot->plain + slot->message_at;
    *message_len = slot->message_len;
    return ROOM_OPEN_OK;
  }
  int keep = len <= OPENED_BYTES;
  if (keep) memcpy(slot->sealed, b, len); // before opening in place overwrites it
  slot->used = 0;
  uint8_t nonce[IV_BYTES];
  nonce_for(shared->iv, counter, nonce);
  size_t length = len - HEADER_BYTES - TAG_BYTES;
  uint8_t *text = b + HEADER_BYTES;
  uint8_t tag[TAG_BYTES];
  memcpy(tag, text + length, TAG_BYTES);
  int n = 0, tail = 0;
  EVP_CIPHER_CTX *ctx = shared->ctx;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_BYTES, tag) != 1 ||
      EVP_CipherUpdate(ctx, NULL, &n, b, HEADER_BYTES) != 1 || EVP_CipherUpdate(ctx, text, &n, text, (int)length) != 1 ||
      EVP_CipherFinal_ex(ctx, text + n, &tail) != 1)
    return ROOM_OPEN_BAD_TAG;
  accept_counter(k, counter);
  size_t said = ((size_t)text[0] << 8) | text[1];
  if (LENGTH_BYTES + said > length) return ROOM_OPEN_MALFORMED;
  *message = text + LENGTH_BYTES;
  *message_len = said;
  if (keep) {
    memcpy(slot->plain, b, len);
    slot->used = 1, slot->counter = counter, slot->len = len;
    slot->message_at = HEADER_BYTES + LENGTH_BYTES, slot->message_len = said;
  }
  return ROOM_OPEN_OK;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  size_t offset;
  napi_value ab;
  void *base;
  if (napi_get_typedarray_info(env, v, &type, len, &base, &ab, &offset) != napi_ok || type != napi_uint8_array) return 0;
  *data = base;
  return 1;
}

// The shared key for (cipher, epoch, key, iv), one more socket holding it; made when new. NULL when
// out of memory or OpenSSL refuses the key.
static shared_key_t *hold_shared(uint8_t cipher, uint32_t epoch, const uint8_t *key, const uint8_t *iv) {
  for (shared_key_t *s = shared_keys; s != NULL; s = s->next)
    if (s->cipher == cipher && s->epoch == epoch && memcmp(s->key, key, KEY_BYTES) == 0 && memcmp(s->iv, iv, IV_BYTES) == 0) {
      s->refs++;
      return s;
    }
  shared_key_t *s = calloc(1, sizeof *s);
  if (s == NULL || (s->ctx = keyed_context(cipher_of(cipher), key, 0)) == NULL) {
    free(s);
    return NULL;
  }
  s->cipher = cipher;
  s->epoch = epoch;
  memcpy(s->key, key, KEY_BYTES);
  memcpy(s->iv, iv, IV_BYTES);
  s->refs = 1;
  s->next = shared_keys;
  shared_keys = s;
  return s;
}

static void release_shared(shared_key_t *s) {
  if (--s->refs > 0) return;
  for (shared_key_t **at = &shared_keys; *at != NULL; at = &(*at)->next)
    if (*at == s) {
      *at = s->next;
      break;
    }
  EVP_CIPHER_CTX_free(s->ctx);
  OPENSSL_cleanse(s->key, KEY_BYTES);
  free(s);
}

static void free_key(room_key_t *k) {
  if (k == NULL) return;
  release_shared(k->shared);
  free(k);
}

napi_value room_keys_set(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t fd;
  uint32_t cipher_id, epoch;
  uint8_t *key, *iv;
  size_t key_len, iv_len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &cipher_id) != napi_ok || napi_get_value_uint32(env, argv[2], &epoch) != napi_ok ||
      !get_bytes(env, argv[3], &key, &key_len) || !get_bytes(env, argv[4], &iv, &iv_len))
    return fail(env, "setRoomKey(fd, cipherId, epoch, key, iv)");
  if (fd < 0 || fd >= FD_LIMIT || epoch == 0 || key_len != KEY_BYTES || iv_len != IV_BYTES)
    return fail(env, "setRoomKey: fd, epoch ≥ 1, a 32-byte key and a 12-byte IV");
  const EVP_CIPHER *cipher = cipher_of(cipher_id);
  if (cipher == NULL) return fail(env, "setRoomKey: unknown cipher id");
  room_key_t *k = calloc(1, sizeof *k);
  if (k == NULL) return fail(env, "setRoomKey: out of memory");
  gen_rx_lock();
  k->shared = hold_shared((uint8_t)cipher_id, epoch, key, iv);
  int held = k->shared != NULL;
  if (held) {
    free_key(keys[fd]);
    keys[fd] = k;
  }
  gen_rx_unlock();
  if (!held) {
    free(k);
    return fail(env, "setRoomKey: out of memory, or OpenSSL refused the key");
  }
  return NULL;
}

void room_keys_forget(int fd) {
  if (fd < 0 || fd >= FD_LIMIT) return;
  free_key(keys[fd]);
  keys[fd] = NULL;
}

void room_keys_clear(void) {
  for (int fd = 0; fd < FD_LIMIT; fd++) {
    free_key(keys[fd]);
    keys[fd] = NULL;
  }
}

int member_sealing_init(member_sealing_t *m, const uint8_t *r) {
  uint32_t padded;
  double first, count;
  memcpy(&padded, r + 4, 4);
  memcpy(&first, r + 8, 8);
  memcpy(&count, r + 16, 8);
  const EVP_CIPHER *cipher = cipher_of(r[0]);
  if (cipher == NULL || padded < LENGTH_BYTES || !(first >= 0 && count >= 0 && first + count < 9007199254740992.0)) return 0;
  memset(m, 0, sizeof *m);
  m->ctx = keyed_context(cipher, r + 24, 1);
  if (m->ctx == NULL) return 0;
  m->cipher = r[0];
  m->padded = padded;
  m->next = (uint64_t)first;
  m->end = (uint64_t)first + (uint64_t)count;
  memcpy(m->iv, r + 24 + KEY_BYTES, IV_BYTES);
  memcpy(m->session, r + 24 + KEY_BYTES + IV_BYTES, sizeof m->session);
  return 1;
}

int member_seal(member_sealing_t *m, const uint8_t *message, uint32_t len, uint8_t *out, size_t out_cap) {
  size_t total = CLIENT_HEADER_BYTES + (size_t)m->padded + TAG_BYTES;
  if (m->next >= m->end || LENGTH_BYTES + (size_t)len > m->padded || total > out_cap) return -1;
  uint64_t counter = m->next++;
  out[0] = SEALED_CLIENT_MARKER;
  out[1] = m->cipher;
  memcpy(out + 2, m->session, sizeof m->session);
  write_be64(out + 10, counter);
  uint8_t *text = out + CLIENT_HEADER_BYTES;
  text[0] = (uint8_t)(len >> 8), text[1] = (uint8_t)len;
  memcpy(text + LENGTH_BYTES, message, len);
  memset(text + LENGTH_BYTES + len, 0, m->padded - LENGTH_BYTES - len);
  uint8_t nonce[IV_BYTES];
  nonce_for(m->iv, counter, nonce);
  int n = 0, tail = 0;
  EVP_CIPHER_CTX *ctx = m->ctx;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) != 1 || EVP_CipherUpdate(ctx, NULL, &n, out, CLIENT_HEADER_BYTES) != 1 ||
      EVP_CipherUpdate(ctx, text, &n, text, (int)m->padded) != 1 || EVP_CipherFinal_ex(ctx, text + n, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_BYTES, text + m->padded) != 1)
    return -1;
  return (int)total;
}

void member_sealing_free(member_sealing_t *m) {
  if (m->ctx != NULL) EVP_CIPHER_CTX_free(m->ctx);
  m->ctx = NULL;
}
