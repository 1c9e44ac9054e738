// AES-256-GCM and ChaCha20-Poly1305 for sealed datagrams, through the OpenSSL that Node links in,
// writing into the caller's Buffers. Nothing is allocated per call, so the relay's seal/open makes
// no garbage. A key is its 32 bytes, not a context of its own: each datagram re-keys one context per
// cipher that the whole addon instance shares. A relay holds two keys per sealed member, and a
// context per key (~1 KB in two allocations, a dozen cache lines touched per datagram) made every
// message touch its sender's cold contexts; re-keying a hot context costs less than that (measured
// 400 against 630 ns a seal over 10,000 keys in random order, 200 ns with one hot key), and a
// message then touches 40 bytes of its sender's key instead.
// A separate addon from udp-batch on purpose: under Electron (BoringSSL) these symbols may be
// missing, and it is built with -z now so that loading fails outright (node:crypto stays in use)
// instead of failing at the first call.
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Must match src-shared/protocol: cipher ids, nonce, tag and key lengths.
#define CIPHER_AES_256_GCM 1
#define CIPHER_CHACHA20_POLY1305 2
#define NONCE_BYTES 12
#define TAG_BYTES 16
#define KEY_BYTES 32
// A sealed datagram is far below this; the bound keeps int arithmetic exact.
#define MAX_BYTES (1 << 20)

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// napi_get_typedarray_info refuses anything but a typed array by itself (napi_invalid_arg): no
// separate napi_is_typedarray check, which cost a crossing per argument per datagram.
static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
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

// The contexts an instance of the addon (one per JS thread that loads it) shares between its keys.
typedef struct {
  EVP_CIPHER_CTX *aes_gcm, *chacha20_poly1305;
} shared_contexts;

// A key: the context of its cipher (its instance's), the key bytes and, when it was made with one,
// its nonce base (IV), so that a datagram's call names only the counter. Wiped when collected.
typedef struct {
  EVP_CIPHER_CTX *ctx;
  uint8_t key[KEY_BYTES];
  uint8_t iv[NONCE_BYTES];
  int has_iv;
} sealed_key;

static void free_shared(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  shared_contexts *shared = data;
  EVP_CIPHER_CTX_free(shared->aes_gcm);
  EVP_CIPHER_CTX_free(shared->chacha20_poly1305);
  free(shared);
}

// A context for `cipher` with a 12-byte nonce and no key yet; NULL when OpenSSL refuses.
static EVP_CIPHER_CTX *new_context(const EVP_CIPHER *cipher) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL) return NULL;
  if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, 1) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_BYTES, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

static void free_key(napi_env env, void *data, void *hint) {
  (void)hint;
  int64_t total;
  OPENSSL_cleanse(data, sizeof(sealed_key));
  free(data);
  napi_adjust_external_memory(env, -(int64_t)sizeof(sealed_key), &total);
}

// Arms the key's context for one datagram: this key, this nonce, this direction.
static int arm(const sealed_key *k, const uint8_t *nonce, int enc) {
  return EVP_CipherInit_ex(k->ctx, NULL, NULL, k->key, nonce, enc) == 1;
}

// Seals in[0, length) into dest (which may be in itself) under `aad`: ciphertext, then the tag.
static int seal_bytes(const sealed_key *k, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                      const uint8_t *in, size_t length, uint8_t *dest) {
  EVP_CIPHER_CTX *ctx = k->ctx;
  int n = 0, tail = 0;
  return arm(k, nonce, 1) && (aad_len == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
         (length == 0 || EVP_CipherUpdate(ctx, dest, &n, in, (int)length) == 1) &&
         EVP_CipherFinal_ex(ctx, dest + (length > 0 ? n : 0), &tail) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_BYTES, dest + length) == 1;
}

// Opens in[0, length), its tag right after, into dest (which may be in itself) under `aad`:
// OPENED, or NOT_AUTHENTIC when the tag does not verify (dest then holds garbage), or
// OPENSSL_FAILED.
enum { OPENED, NOT_AUTHENTIC, OPENSSL_FAILED };
static int open_bytes(const sealed_key *k, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                      const uint8_t *in, size_t length, uint8_t *dest) {
  // The tag is copied first: opening in place overwrites nothing after the ciphertext, but keep the
  // context's view of it independent of dest anyway.
  uint8_t tag[TAG_BYTES];
  memcpy(tag, in + length, TAG_BYTES);
  EVP_CIPHER_CTX *ctx = k->ctx;
  int n = 0, tail = 0;
  if (!arm(k, nonce, 0) || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_BYTES, tag) != 1 ||
      (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1) ||
      (length > 0 && EVP_CipherUpdate(ctx, dest, &n, in, (int)length) != 1))
    return OPENSSL_FAILED;
  return EVP_CipherFinal_ex(ctx, dest + (length > 0 ? n : 0), &tail) == 1 ? OPENED : NOT_AUTHENTIC;
}

static napi_value make_int(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

// createKey(cipherId, key[, iv]) → handle: a copy of the key (and of the 12-byte IV the counter
// calls use), wiped when the handle is collected.
static napi_value create_key(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t cipher_id;
  uint8_t *key, *iv = NULL;
  size_t key_len, iv_len = 0;
  napi_valuetype third = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_uint32(env, argv[0], &cipher_id) != napi_ok || !get_bytes(env, argv[1], &key, &key_len) ||
      (argc > 2 && (napi_typeof(env, argv[2], &third) != napi_ok ||
                    (third != napi_undefined && !get_bytes(env, argv[2], &iv, &iv_len)))))
    return fail(env, "createKey(cipherId: number, key: Uint8Array, iv?: Uint8Array)");
  if (key_len != KEY_BYTES) return fail(env, "createKey: a key is 32 bytes");
  if (iv != NULL && iv_len != NONCE_BYTES) return fail(env, "createKey: an IV is 12 bytes");
  shared_contexts *shared = NULL;
  if (napi_get_instance_data(env, (void **)&shared) != napi_ok || shared == NULL)
    return fail(env, "createKey: the addon has no contexts");
  EVP_CIPHER_CTX *ctx = cipher_id == CIPHER_AES_256_GCM        ? shared->aes_gcm
                        : cipher_id == CIPHER_CHACHA20_POLY1305 ? shared->chacha20_poly1305
                                                                : NULL;
  if (ctx == NULL) return fail(env, "createKey: unknown cipher id");
  sealed_key *k = malloc(sizeof *k);
  if (k == NULL) return fail(env, "createKey: out of memory");
  k->ctx = ctx;
  memcpy(k->key, key, KEY_BYTES);
  k->has_iv = iv != NULL;
  if (iv != NULL) memcpy(k->iv, iv, NONCE_BYTES);
  else memset(k->iv, 0, NONCE_BYTES);
  // Keyed once here, so that a key OpenSSL refuses is refused now rather than at the first datagram.
  static const uint8_t zero_nonce[NONCE_BYTES];
  if (!arm(k, zero_nonce, 1)) {
    OPENSSL_cleanse(k, sizeof *k);
    free(k);
    return fail(env, "createKey: OpenSSL refused the key");
  }
  napi_value handle;
  if (napi_create_external(env, k, free_key, NULL, &handle) != napi_ok) {
    OPENSSL_cleanse(k, sizeof *k);
    free(k);
    return fail(env, "createKey: could not wrap the key");
  }
  int64_t total;
  napi_adjust_external_memory(env, (int64_t)sizeof *k, &total);
  return handle;
}

// The arguments seal and open share: (handle, nonce, aad, input, out, at).
typedef struct {
  const sealed_key *key;
  uint8_t *nonce, *aad, *input, *out;
  size_t nonce_len, aad_len, input_len, out_len;
  uint32_t at;
} call_args;

static int read_args(napi_env env, napi_callback_info info, call_args *a) {
  size_t argc = 6;
  napi_value argv[6];
  void *key;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6) return 0;
  if (napi_get_value_external(env, argv[0], &key) != napi_ok || key == NULL) return 0;
  a->key = key;
  return get_bytes(env, argv[1], &a->nonce, &a->nonce_len) && get_bytes(env, argv[2], &a->aad, &a->aad_len) &&
         get_bytes(env, argv[3], &a->input, &a->input_len) && get_bytes(env, argv[4], &a->out, &a->out_len) &&
         napi_get_value_uint32(env, argv[5], &a->at) == napi_ok && a->nonce_len == NONCE_BYTES &&
         a->aad_len <= MAX_BYTES && a->input_len <= MAX_BYTES;
}

// seal(handle, nonce, aad, plaintext, out, at) → plaintext length + 16: ciphertext then tag at
// out[at…). `plaintext` may be out[at…) itself (sealing in place).
static napi_value seal(napi_env env, napi_callback_info info) {
  call_args a;
  if (!read_args(env, info, &a)) return fail(env, "seal(handle, nonce: 12 bytes, aad, plaintext, out, at)");
  if ((size_t)a.at > a.out_len || a.out_len - a.at < a.input_len + TAG_BYTES) return fail(env, "seal: out is too short");
  if (!seal_bytes(a.key, a.nonce, a.aad, a.aad_len, a.input, a.input_len, a.out + a.at))
    return fail(env, "seal: OpenSSL failed");
  return make_int(env, (int32_t)(a.input_len + TAG_BYTES));
}

// open(handle, nonce, aad, sealed, out, at) → plaintext length written at out[at…), or -1 when the
// tag does not verify (out[at…) then holds garbage the caller must not use). `sealed` is ciphertext
// then tag; it may be out[at…) itself (opening in place).
static napi_value open_sealed(napi_env env, napi_callback_info info) {
  call_args a;
  if (!read_args(env, info, &a)) return fail(env, "open(handle, nonce: 12 bytes, aad, sealed, out, at)");
  if (a.input_len < TAG_BYTES) return make_int(env, -1);
  size_t length = a.input_len - TAG_BYTES;
  if ((size_t)a.at > a.out_len || a.out_len - a.at < length) return fail(env, "open: out is too short");
  int opened = open_bytes(a.key, a.nonce, a.aad, a.aad_len, a.input, length, a.out + a.at);
  if (opened == OPENSSL_FAILED) return fail(env, "open: OpenSSL failed");
  if (opened == NOT_AUTHENTIC) return make_int(env, -1);
  return make_int(env, (int32_t)length);
}

// The arguments the in-place calls share: (handle, iv, counter, buf, aadAt, aadLength, length).
// The nonce is built here (IV XOR the counter in its last 8 bytes), and the header, text and tag are
// addressed by offsets into one buffer: the caller makes no nonce and no views per datagram.
typedef struct {
  const sealed_key *key;
  uint8_t nonce[NONCE_BYTES];
  uint8_t *buf;
  size_t buf_len;
  uint32_t aad_at, aad_len, length;
} in_place_args;

// A counter is a whole number below 2^53, as the JS side keeps it.
#define COUNTER_LIMIT 9007199254740992.0

// `bound`: the counter calls (handle, counter, buf, …), whose IV is the key's own; else the IV is
// the second argument.
static int read_in_place(napi_env env, size_t argc, napi_value *argv, in_place_args *a, int bound) {
  void *handle;
  const uint8_t *iv;
  size_t iv_len;
  double counter;
  if (argc != (bound ? 6u : 7u)) return 0;
  if (napi_get_value_external(env, argv[0], &handle) != napi_ok || handle == NULL) return 0;
  const sealed_key *key = handle;
  napi_value *rest = argv + (bound ? 1 : 2);
  if (bound) {
    if (!key->has_iv) return 0;
    iv = key->iv;
  } else if (!get_bytes(env, argv[1], (uint8_t **)&iv, &iv_len) || iv_len != NONCE_BYTES) {
    return 0;
  }
  if (napi_get_value_double(env, rest[0], &counter) != napi_ok || !(counter >= 0 && counter < COUNTER_LIMIT) ||
      counter != (double)(uint64_t)counter)
    return 0;
  if (!get_bytes(env, rest[1], &a->buf, &a->buf_len) || napi_get_value_uint32(env, rest[2], &a->aad_at) != napi_ok ||
      napi_get_value_uint32(env, rest[3], &a->aad_len) != napi_ok ||
      napi_get_value_uint32(env, rest[4], &a->length) != napi_ok)
    return 0;
  if (a->aad_at > MAX_BYTES || a->aad_len > MAX_BYTES || a->length > MAX_BYTES) return 0;
  a->key = key;
  uint64_t c = (uint64_t)counter;
  memcpy(a->nonce, iv, NONCE_BYTES);
  for (int i = 0; i < 8; i++) a->nonce[NONCE_BYTES - 1 - i] ^= (uint8_t)(c >> (8 * i));
  return 1;
}

// sealInPlace(handle, iv, counter, buf, aadAt, aadLength, length) → length + 16: the header
// buf[aadAt, aadAt + aadLength) is the associated data, the `length` bytes after it are replaced by
// their ciphertext, and the tag follows.
static napi_value seal_at(napi_env env, const in_place_args *a) {
  size_t text_at = (size_t)a->aad_at + a->aad_len;
  if (text_at + a->length + TAG_BYTES > a->buf_len) return fail(env, "sealInPlace: buf is too short");
  uint8_t *text = a->buf + text_at;
  if (!seal_bytes(a->key, a->nonce, a->buf + a->aad_at, a->aad_len, text, a->length, text))
    return fail(env, "sealInPlace: OpenSSL failed");
  return make_int(env, (int32_t)(a->length + TAG_BYTES));
}

// openInPlace(handle, iv, counter, buf, aadAt, aadLength, sealedLength) → plaintext length, the
// plaintext replacing the ciphertext after the header; -1 when the tag does not verify (the
// ciphertext's bytes are then garbage the caller must not use). sealedLength counts the tag.
static napi_value open_at(napi_env env, const in_place_args *a) {
  size_t text_at = (size_t)a->aad_at + a->aad_len;
  if (text_at + a->length > a->buf_len) return fail(env, "openInPlace: buf is too short");
  if (a->length < TAG_BYTES) return make_int(env, -1);
  size_t length = a->length - TAG_BYTES;
  uint8_t *text = a->buf + text_at;
  int opened = open_bytes(a->key, a->nonce, a->buf + a->aad_at, a->aad_len, text, length, text);
  if (opened == OPENSSL_FAILED) return fail(env, "openInPlace: OpenSSL failed");
  if (opened == NOT_AUTHENTIC) return make_int(env, -1);
  return make_int(env, (int32_t)length);
}

// The four exported in-place calls share one callback; each property's data says which it is.
// sealCounter / openCounter take (handle, counter, buf, aadAt, aadLength, length) and use the IV the
// key was made with (createKey's third argument), so a datagram's call reads no IV object.
typedef struct {
  int bound; // the IV is the key's own, not an argument
  napi_value (*op)(napi_env env, const in_place_args *a);
  const char *usage;
} in_place_kind;

static const in_place_kind SEAL_IN_PLACE = {
    0, seal_at,
    "sealInPlace(handle, iv: 12 bytes, counter < 2^53, buf, aadAt, aadLength, length)"};
static const in_place_kind SEAL_COUNTER = {
    1, seal_at,
    "sealCounter(handle of a key made with an IV, counter < 2^53, buf, aadAt, aadLength, length)"};
static const in_place_kind OPEN_IN_PLACE = {
    0, open_at,
    "openInPlace(handle, iv: 12 bytes, counter < 2^53, buf, aadAt, aadLength, sealedLength)"};
static const in_place_kind OPEN_COUNTER = {
    1, open_at,
    "openCounter(handle of a key made with an IV, counter < 2^53, buf, aadAt, aadLength, sealedLength)"};

static napi_value in_place_call(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  void *data;
  in_place_args a;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || data == NULL)
    return fail(env, "sealed-aead: bad call");
  const in_place_kind *kind = data;
  if (!read_in_place(env, argc, argv, &a, kind->bound)) return fail(env, kind->usage);
  return kind->op(env, &a);
}

static napi_value module_init(napi_env env, napi_value exports) {
  shared_contexts *shared = calloc(1, sizeof *shared);
  if (shared == NULL) return fail(env, "sealed-aead: out of memory");
  shared->aes_gcm = new_context(EVP_aes_256_gcm());
  shared->chacha20_poly1305 = new_context(EVP_chacha20_poly1305());
  if (shared->aes_gcm == NULL || shared->chacha20_poly1305 == NULL ||
      napi_set_instance_data(env, shared, free_shared, NULL) != napi_ok) {
    free_shared(env, shared, NULL);
    return fail(env, "sealed-aead: OpenSSL has no context for these ciphers");
  }
  napi_property_descriptor props[] = {
      {"createKey", NULL, create_key, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_sealed, NULL, NULL, NULL, napi_default, NULL},
      {"sealInPlace", NULL, in_place_call, NULL, NULL, NULL, napi_default, (void *)&SEAL_IN_PLACE},
      {"openInPlace", NULL, in_place_call, NULL, NULL, NULL, napi_default, (void *)&OPEN_IN_PLACE},
      {"sealCounter", NULL, in_place_call, NULL, NULL, NULL, napi_default, (void *)&SEAL_COUNTER},
      {"openCounter", NULL, in_place_call, NULL, NULL, NULL, napi_default, (void *)&OPEN_COUNTER},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return module_init(env, exports); }
