/* Tests of every function in include/tessera.h, through the C ABI exactly as a C program sees
 * it: results, NULL in every pointer argument, too-small buffers, empty inputs, handles of the
 * wrong kind, _free(NULL), batch verification and a verifier shared across threads.
 *
 * Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
 *   gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -o test_tessera \
 *       bindings/c/tests/test_tessera.c target/debug/libtessera.a \
 *       -lgcc_s -lutil -lrt -lpthread -lm -ldl
 * Run: ./test_tessera [test names...]
 *
 * Adding a function to the header: add a test_xxx below and a HARNESS_TEST(xxx) line in TESTS.
 * Functions with a (uint8_t *out, size_t cap, size_t *out_len) output get the whole buffer
 * convention checked by check_out(); tests/c_bindings.rs fails while a function declared in the
 * header or a TESSERA_RESULT_* code is not mentioned in this directory. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"
#include "fixtures.h"
#include "harness.h"
#include "hostile.h"

#define NOW INT64_C(1800000000)
#define STR(s) (const uint8_t *)(s), strlen(s)

/* A pointer that no tessera function may write (convention 5: outputs only on success). */
static char sentinel_object;
#define SENTINEL ((void *)&sentinel_object)

/* ---- helpers ------------------------------------------------------------------------------ */

static tessera_key *gen(const char *alg) {
  tessera_key *key = NULL;
  tessera_result rc = tessera_key_generate(alg, &key);
  if (rc != TESSERA_RESULT_OK) {
    fprintf(stderr, "tessera_key_generate(%s): %s\n", alg, tessera_result_name(rc));
    return NULL;
  }
  return key;
}

/* Whether the library runs on aws-lc-rs, the backend with ES512, ES256K and RSA key generation
 * (else on ring: see test_backend). */
static int on_aws_lc(void) { return strncmp(tessera_backend(), "aws-lc-rs ", 10) == 0; }

static tessera_key *gen_kid(const char *alg, const char *kid) {
  tessera_key *key = gen(alg);
  tessera_key *with = NULL;
  if (key && tessera_key_with_kid(key, kid, &with) != TESSERA_RESULT_OK) with = NULL;
  tessera_key_free(key);
  return with;
}

struct token {
  char s[8192];
  size_t len;
};

/* Signs `claims` (and header members `header`, NULL for none) into `t`. */
static tessera_result sign_to(const tessera_key *key, const char *header, const char *claims,
                              struct token *t) {
  t->len = 0;
  tessera_result rc = tessera_sign(key, (const uint8_t *)header, header ? strlen(header) : 0,
                                   STR(claims), (uint8_t *)t->s, sizeof t->s - 1, &t->len);
  t->s[rc == TESSERA_RESULT_OK ? t->len : 0] = '\0';
  return rc;
}

static tessera_verifier_builder *builder(void) {
  tessera_verifier_builder *b = NULL;
  return tessera_verifier_builder_new(&b) == TESSERA_RESULT_OK ? b : NULL;
}

/* A verifier for `key` with the default policy (and issuer/audience when not NULL). */
static tessera_verifier *verifier_for(const tessera_key *key, const char *iss, const char *aud) {
  tessera_verifier_builder *b = builder();
  tessera_verifier *v = NULL;
  if (b && (!iss || tessera_verifier_builder_add_issuer(b, iss) == TESSERA_RESULT_OK) &&
      (!aud || tessera_verifier_builder_add_audience(b, aud) == TESSERA_RESULT_OK) &&
      tessera_verifier_new_with_key(b, key, &v) != TESSERA_RESULT_OK)
    v = NULL;
  tessera_verifier_builder_free(b);
  return v;
}

/* Whether the n bytes at p contain the string needle (memmem is not C11). */
static int has(const void *p, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; k <= n && i <= n - k; i++)
    if (memcmp((const char *)p + i, needle, k) == 0) return 1;
  return 0;
}

static size_t b64_decode(const char *in, uint8_t *out) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (; *in && *in != '='; in++) {
    const char *p = strchr(alphabet, *in);
    if (!p || !*in) continue; /* newlines */
    acc = (acc << 6) | (uint32_t)(p - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  return n;
}

/* The DER inside a PEM block (the base64 between the BEGIN and END lines). */
static size_t pem_to_der(const char *pem, uint8_t *der, size_t cap) {
  char body[4096];
  const char *start = strstr(pem, "-----\n");
  const char *end = strstr(pem, "\n-----END");
  if (!start || !end || (size_t)(end - start) >= sizeof body || (size_t)(end - start) > cap)
    return 0;
  start += 6;
  memcpy(body, start, (size_t)(end - start));
  body[end - start] = '\0';
  return b64_decode(body, der);
}

/* ---- the buffer convention, checked for any output function ------------------------------- */

typedef tessera_result (*out_call)(const void *ctx, uint8_t *out, size_t cap, size_t *out_len);

#define CHECK_IN(what, cond)                  \
  do {                                        \
    harness_checks++;                         \
    if (!(cond)) {                            \
      harness_fail(__FILE__, __LINE__);       \
      fprintf(stderr, "%s: %s\n", what, #cond); \
    }                                         \
  } while (0)

static int all_bytes(const uint8_t *p, size_t n, uint8_t value) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != value) return 0;
  return 1;
}

/* Calls `call` the ways convention 4 allows and checks each promise: the size query with
 * (NULL, 0), NULL out_len, NULL out with a capacity, a buffer one byte short (needed size
 * reported, buffer untouched), an exact buffer (heap-allocated to size, so ASan sees any
 * overrun) and a larger one (nothing written past the output). `deterministic`: both successful
 * calls give the same bytes. Returns the output as a NUL-terminated malloc'd string (free it)
 * with its length in *len, or NULL when the call fails; `want` is the expected result. */
static char *check_out_rc(const char *what, out_call call, const void *ctx, int deterministic,
                          tessera_result want, size_t *len) {
  size_t need = (size_t)-1, got = 0;
  tessera_result rc = call(ctx, NULL, 0, &need);
  if (want != TESSERA_RESULT_OK) {
    harness_rc(__FILE__, __LINE__, what, rc, want);
    CHECK_IN(what, need == (size_t)-1);
    return NULL;
  }
  if (rc == TESSERA_RESULT_OK) {
    CHECK_IN(what, need == 0);
  } else if (!harness_rc(__FILE__, __LINE__, what, rc, TESSERA_RESULT_BUFFER_TOO_SMALL)) {
    return NULL;
  } else {
    CHECK_IN(what, need > 0 && need < (size_t)1 << 24);
  }
  if (need >= (size_t)1 << 24) return NULL;

  uint8_t *big = (uint8_t *)malloc(need + 64);
  uint8_t *exact = (uint8_t *)malloc(need + 1);
  if (!big || !exact) abort();
  memset(big, 0xA5, need + 64);
  got = 12345;
  harness_rc(__FILE__, __LINE__, what, call(ctx, big, need + 64, NULL),
             TESSERA_RESULT_NULL_POINTER);
  harness_rc(__FILE__, __LINE__, what, call(ctx, NULL, need + 1, &got),
             TESSERA_RESULT_NULL_POINTER);
  CHECK_IN(what, got == 12345);
  CHECK_IN(what, all_bytes(big, need + 64, 0xA5));

  if (need > 0) {
    uint8_t *small = (uint8_t *)malloc(need - 1 > 0 ? need - 1 : 1);
    if (!small) abort();
    memset(small, 0xA5, need - 1 > 0 ? need - 1 : 1);
    got = 0;
    harness_rc(__FILE__, __LINE__, what, call(ctx, small, need - 1, &got),
               TESSERA_RESULT_BUFFER_TOO_SMALL);
    CHECK_IN(what, got == need);
    CHECK_IN(what, all_bytes(small, need - 1 > 0 ? need - 1 : 1, 0xA5));
    free(small);
  }

  got = 0;
  harness_rc(__FILE__, __LINE__, what, call(ctx, exact, need, &got), TESSERA_RESULT_OK);
  CHECK_IN(what, got == need);
  exact[need] = '\0';

  got = 0;
  harness_rc(__FILE__, __LINE__, what, call(ctx, big, need + 64, &got), TESSERA_RESULT_OK);
  CHECK_IN(what, got == need);
  CHECK_IN(what, all_bytes(big + need, 64, 0xA5));
  if (deterministic) CHECK_IN(what, memcmp(big, exact, need) == 0);
  free(big);
  *len = need;
  return (char *)exact;
}

static char *check_out(const char *what, out_call call, const void *ctx, int deterministic,
                       size_t *len) {
  return check_out_rc(what, call, ctx, deterministic, TESSERA_RESULT_OK, len);
}

/* Adapters from each output function to out_call. */

typedef tessera_result (*key_text_fn)(const tessera_key *, uint8_t *, size_t, size_t *);
struct key_text {
  key_text_fn fn;
  const tessera_key *key;
};
static tessera_result call_key_text(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct key_text *k = ctx;
  return k->fn(k->key, o, c, l);
}

typedef tessera_result (*verified_text_fn)(const tessera_verified *, uint8_t *, size_t,
                                           size_t *);
struct verified_text {
  verified_text_fn fn;
  const tessera_verified *verified;
};
static tessera_result call_verified_text(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct verified_text *v = ctx;
  return v->fn(v->verified, o, c, l);
}

struct claim_call {
  const tessera_verified *verified;
  const char *name;
};
static tessera_result call_claim(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct claim_call *a = ctx;
  return tessera_verified_claim(a->verified, a->name, o, c, l);
}

struct jwks_call {
  const tessera_key *const *keys;
  size_t count;
};
static tessera_result call_jwks(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct jwks_call *a = ctx;
  return tessera_jwks(a->keys, a->count, o, c, l);
}

static tessera_result call_keyset_to_jwks(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  return tessera_keyset_to_jwks((const tessera_keyset *)ctx, o, c, l);
}

struct sign_call {
  const tessera_key *key;
  const char *header; /* NULL: (NULL, 0) */
  const char *claims;
  int jws;
};
static tessera_result call_sign(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct sign_call *a = ctx;
  size_t hl = a->header ? strlen(a->header) : 0;
  return (a->jws ? tessera_sign_jws : tessera_sign)(a->key, (const uint8_t *)a->header, hl,
                                                     STR(a->claims), o, c, l);
}

struct verify_call {
  const tessera_verifier *verifier;
  const struct token *token;
  int64_t now;
  int jws;
};
static tessera_result call_verify(const void *ctx, uint8_t *o, size_t c, size_t *l) {
  const struct verify_call *a = ctx;
  const uint8_t *t = (const uint8_t *)a->token->s;
  if (a->jws) return tessera_verify_jws(a->verifier, t, a->token->len, o, c, l);
  return tessera_verify(a->verifier, t, a->token->len, a->now, o, c, l);
}

/* ---- version and result codes ------------------------------------------------------------- */

static void test_version(void) {
  char expected[64];
  CHECK(tessera_version() != NULL);
  CHECK(strcmp(tessera_version(), TESSERA_VERSION_STRING) == 0);
  snprintf(expected, sizeof expected, "%d.%d.%d", TESSERA_VERSION_MAJOR, TESSERA_VERSION_MINOR,
           TESSERA_VERSION_PATCH);
  CHECK(strcmp(expected, TESSERA_VERSION_STRING) == 0);
  CHECK(tessera_version() == tessera_version()); /* static */
}

/* "ring 0.17.14" or "aws-lc-rs 1.19.0": the backend's name, one space, its version. */
static void test_backend(void) {
  const char *backend = tessera_backend();
  const char *version = NULL;
  size_t parts = 1;
  CHECK(backend != NULL);
  if (!backend) return;
  CHECK(tessera_backend() == backend); /* static */
  if (strncmp(backend, "ring ", 5) == 0)
    version = backend + 5;
  else if (strncmp(backend, "aws-lc-rs ", 10) == 0)
    version = backend + 10;
  if (!version) fprintf(stderr, "  unknown backend \"%s\"\n", backend);
  CHECK(version != NULL);
  if (!version) return;
  /* MAJOR.MINOR.PATCH: digits, one dot between numbers. */
  CHECK(*version >= '0' && *version <= '9');
  for (const char *c = version; *c; c++) {
    CHECK((*c >= '0' && *c <= '9') || (*c == '.' && c[1] >= '0' && c[1] <= '9'));
    parts += *c == '.';
  }
  CHECK(parts == 3);
  CHECK(on_aws_lc() == (strncmp(backend, "aws-lc-rs", 9) == 0));
}

#define RESULT(code) {code, #code}
static const struct {
  uint32_t code;
  const char *macro;
} ALL_RESULTS[] = {
    RESULT(TESSERA_RESULT_OK),
    RESULT(TESSERA_RESULT_INVALID_ARGUMENT),
    RESULT(TESSERA_RESULT_BUFFER_TOO_SMALL),
    RESULT(TESSERA_RESULT_PANIC),
    RESULT(TESSERA_RESULT_NULL_POINTER),
    RESULT(TESSERA_RESULT_INVALID_UTF8),
    RESULT(TESSERA_RESULT_RANDOM_FAILURE),
    RESULT(TESSERA_RESULT_UNSUPPORTED),
    RESULT(TESSERA_RESULT_WRONG_HANDLE),
    RESULT(TESSERA_RESULT_MALFORMED_TOKEN),
    RESULT(TESSERA_RESULT_INVALID_BASE64),
    RESULT(TESSERA_RESULT_INVALID_JSON),
    RESULT(TESSERA_RESULT_DUPLICATE_MEMBER),
    RESULT(TESSERA_RESULT_TOO_LARGE),
    RESULT(TESSERA_RESULT_INVALID_HEADER),
    RESULT(TESSERA_RESULT_UNSUPPORTED_CRITICAL),
    RESULT(TESSERA_RESULT_TOO_DEEP),
    RESULT(TESSERA_RESULT_INVALID_KEY),
    RESULT(TESSERA_RESULT_UNSUPPORTED_KEY),
    RESULT(TESSERA_RESULT_WEAK_KEY),
    RESULT(TESSERA_RESULT_KEY_ALGORITHM_MISMATCH),
    RESULT(TESSERA_RESULT_KEY_USAGE),
    RESULT(TESSERA_RESULT_KEY_NOT_FOUND),
    RESULT(TESSERA_RESULT_AMBIGUOUS_KEY_SET),
    RESULT(TESSERA_RESULT_NOT_PRIVATE_KEY),
    RESULT(TESSERA_RESULT_NO_PUBLIC_KEY),
    RESULT(TESSERA_RESULT_UNSUPPORTED_ALGORITHM),
    RESULT(TESSERA_RESULT_ALGORITHM_MISMATCH),
    RESULT(TESSERA_RESULT_INVALID_SIGNATURE),
    RESULT(TESSERA_RESULT_EXPIRED),
    RESULT(TESSERA_RESULT_NOT_YET_VALID),
    RESULT(TESSERA_RESULT_ISSUED_IN_FUTURE),
    RESULT(TESSERA_RESULT_TOO_OLD),
    RESULT(TESSERA_RESULT_MISSING_CLAIM),
    RESULT(TESSERA_RESULT_INVALID_CLAIM_TYPE),
    RESULT(TESSERA_RESULT_ISSUER_MISMATCH),
    RESULT(TESSERA_RESULT_AUDIENCE_MISMATCH),
    RESULT(TESSERA_RESULT_SUBJECT_MISMATCH),
    RESULT(TESSERA_RESULT_TYPE_MISMATCH),
    RESULT(TESSERA_RESULT_INVALID_SCOPE),
    RESULT(TESSERA_RESULT_SCOPE_NOT_GRANTED),
    RESULT(TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN),
    RESULT(TESSERA_RESULT_TOKEN_CHECKSUM),
    RESULT(TESSERA_RESULT_WRONG_TOKEN_KIND),
    RESULT(TESSERA_RESULT_TOKEN_MISMATCH),
    RESULT(TESSERA_RESULT_INVALID_PKCE),
    RESULT(TESSERA_RESULT_PKCE_MISMATCH),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_REQUEST),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_CLIENT),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_GRANT),
    RESULT(TESSERA_RESULT_OAUTH_UNAUTHORIZED_CLIENT),
    RESULT(TESSERA_RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_SCOPE),
    RESULT(TESSERA_RESULT_OAUTH_ACCESS_DENIED),
    RESULT(TESSERA_RESULT_OAUTH_UNSUPPORTED_RESPONSE_TYPE),
    RESULT(TESSERA_RESULT_OAUTH_SERVER_ERROR),
    RESULT(TESSERA_RESULT_OAUTH_TEMPORARILY_UNAVAILABLE),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_TOKEN),
    RESULT(TESSERA_RESULT_OAUTH_INSUFFICIENT_SCOPE),
    RESULT(TESSERA_RESULT_OAUTH_INVALID_DPOP_PROOF),
    RESULT(TESSERA_RESULT_OAUTH_USE_DPOP_NONCE),
    RESULT(TESSERA_RESULT_DPOP_MALFORMED),
    RESULT(TESSERA_RESULT_DPOP_TYPE),
    RESULT(TESSERA_RESULT_DPOP_ALGORITHM),
    RESULT(TESSERA_RESULT_DPOP_KEY),
    RESULT(TESSERA_RESULT_DPOP_SIGNATURE),
    RESULT(TESSERA_RESULT_DPOP_METHOD),
    RESULT(TESSERA_RESULT_DPOP_URI),
    RESULT(TESSERA_RESULT_DPOP_IAT),
    RESULT(TESSERA_RESULT_DPOP_JTI),
    RESULT(TESSERA_RESULT_DPOP_NONCE_REQUIRED),
    RESULT(TESSERA_RESULT_DPOP_NONCE_INVALID),
    RESULT(TESSERA_RESULT_DPOP_ATH),
    RESULT(TESSERA_RESULT_DPOP_REPLAY),
    RESULT(TESSERA_RESULT_DPOP_KEY_MISMATCH),
    RESULT(TESSERA_RESULT_DPOP_PROOF_REQUIRED),
    RESULT(TESSERA_RESULT_DPOP_BOUND_TOKEN),
    RESULT(TESSERA_RESULT_UNBOUND_TOKEN),
    RESULT(TESSERA_RESULT_CERTIFICATE_MISMATCH),
};
#define N_RESULTS (sizeof ALL_RESULTS / sizeof ALL_RESULTS[0])

static void test_result_strings(void) {
  for (size_t i = 0; i < N_RESULTS; i++) {
    uint32_t code = ALL_RESULTS[i].code;
    const char *str = tessera_result_str(code);
    const char *name = tessera_result_name(code);
    char upper[128] = "TESSERA_RESULT_";
    size_t n = strlen(upper);
    CHECK(str != NULL && name != NULL);
    if (!str || !name) continue;
    if (strcmp(str, "unknown result code") == 0 || strcmp(name, "unknown") == 0 || !*str)
      fprintf(stderr, "  %s (%u) is unknown to the library\n", ALL_RESULTS[i].macro, code);
    CHECK(strcmp(str, "unknown result code") != 0 && *str);
    CHECK(strcmp(name, "unknown") != 0);
    /* The name is the macro's suffix in snake_case. */
    for (const char *c = name; *c && n < sizeof upper - 1; c++)
      upper[n++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    upper[n] = '\0';
    if (strcmp(upper, ALL_RESULTS[i].macro) != 0)
      fprintf(stderr, "  name %s does not match %s\n", name, ALL_RESULTS[i].macro);
    CHECK(strcmp(upper, ALL_RESULTS[i].macro) == 0);
    CHECK(tessera_result_str(code) == str); /* static strings */
    for (size_t j = 0; j < i; j++) CHECK(ALL_RESULTS[j].code != code);
  }
  CHECK(strcmp(tessera_result_str(TESSERA_RESULT_OK), "ok") == 0);
  CHECK(strcmp(tessera_result_name(TESSERA_RESULT_OK), "ok") == 0);
  /* Unknown codes, and the library knows no code that the header lacks. */
  CHECK(strcmp(tessera_result_str(9999), "unknown result code") == 0);
  CHECK(strcmp(tessera_result_name(9999), "unknown") == 0);
  CHECK(strcmp(tessera_result_str(UINT32_MAX), "unknown result code") == 0);
  CHECK(strcmp(tessera_result_name(UINT32_MAX), "unknown") == 0);
  for (uint32_t code = 1; code < 2000; code++) {
    int listed = 0;
    for (size_t i = 0; i < N_RESULTS; i++) listed |= ALL_RESULTS[i].code == code;
    if (!listed && strcmp(tessera_result_name(code), "unknown") != 0)
      fprintf(stderr, "  the library knows code %u (%s) but this list does not\n", code,
              tessera_result_name(code));
    CHECK(listed || strcmp(tessera_result_name(code), "unknown") == 0);
    CHECK(listed || strcmp(tessera_result_str(code), "unknown result code") == 0);
  }
}

/* ---- keys --------------------------------------------------------------------------------- */

static void test_key_generate(void) {
  static const char *algs[] = {"ES256", "ES384", "EdDSA", "Ed25519", "HS256", "HS384", "HS512"};
  for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
    tessera_key *key = NULL;
    uint8_t buf[32];
    size_t len = 0;
    bool priv = false;
    CHECK_OK(tessera_key_generate(algs[i], &key));
    CHECK(key != NULL);
    CHECK_OK(tessera_key_alg(key, buf, sizeof buf, &len));
    CHECK_STR(buf, len, algs[i]);
    CHECK_OK(tessera_key_is_private(key, &priv));
    CHECK(priv);
    tessera_key_free(key);
  }
  /* ES512, ES256K and RSA keys need aws-lc (2048-bit RSA keys). */
  if (on_aws_lc()) {
    static const char *more[] = {"ES512", "ES256K", "RS256", "PS512"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
      tessera_key *key = NULL;
      uint8_t buf[32];
      size_t len = 0;
      CHECK_OK(tessera_key_generate(more[i], &key));
      CHECK_OK(tessera_key_alg(key, buf, sizeof buf, &len));
      CHECK_STR(buf, len, more[i]);
      tessera_key_free(key);
    }
  } else {
    tessera_key *key = (tessera_key *)SENTINEL;
    CHECK_RC(tessera_key_generate("RS256", &key), TESSERA_RESULT_UNSUPPORTED);
    CHECK_RC(tessera_key_generate("ES512", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_key_generate("ES256K", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK(key == (tessera_key *)SENTINEL);
  }
  {
    tessera_key *key = (tessera_key *)SENTINEL;
    CHECK_RC(tessera_key_generate("none", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_key_generate("es512", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_key_generate("es256", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_key_generate("", &key), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_key_generate("\xff", &key), TESSERA_RESULT_INVALID_UTF8);
    CHECK_RC(tessera_key_generate(NULL, &key), TESSERA_RESULT_NULL_POINTER);
    CHECK(key == (tessera_key *)SENTINEL);
    CHECK_RC(tessera_key_generate("ES256", NULL), TESSERA_RESULT_NULL_POINTER);
  }
}

static void test_key_from_pem(void) {
  tessera_key *rsa = NULL, *ec = NULL, *back = NULL, *pub = NULL;
  tessera_key *out = (tessera_key *)SENTINEL;
  uint8_t pem[4096];
  size_t len = 0;
  bool priv = true;

  REQUIRE_OK(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "RS256", &rsa));
  CHECK_OK(tessera_key_alg(rsa, pem, sizeof pem, &len));
  CHECK_STR(pem, len, "RS256");
  CHECK_RC(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), NULL, &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH); /* RSA needs an explicit algorithm */
  CHECK_RC(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "ES256", &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);
  CHECK_RC(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "nope", &out),
           TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
  CHECK_RC(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "\xc3\x28", &out),
           TESSERA_RESULT_INVALID_UTF8);

  /* Round trips: private PEM and public PEM of a generated key; NULL alg is the default. */
  ec = gen("ES384");
  REQUIRE_OK(tessera_key_private_pem(ec, pem, sizeof pem, &len));
  CHECK_OK(tessera_key_from_pem(pem, len, NULL, &back));
  CHECK_OK(tessera_key_alg(back, pem, sizeof pem, &len));
  CHECK_STR(pem, len, "ES384");
  REQUIRE_OK(tessera_key_public_pem(ec, pem, sizeof pem, &len));
  CHECK_OK(tessera_key_from_pem(pem, len, "ES384", &pub));
  CHECK_OK(tessera_key_is_private(pub, &priv));
  CHECK(!priv);

  /* Empty, NULL and malformed inputs. */
  CHECK_RC(tessera_key_from_pem(NULL, 0, NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_pem(STR(""), NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_pem(NULL, 10, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_from_pem(STR("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
                                NULL, &out),
           TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_pem(STR("not a pem"), NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK(out == (tessera_key *)SENTINEL);
  CHECK_RC(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "RS256", NULL),
           TESSERA_RESULT_NULL_POINTER);
  tessera_key_free(rsa);
  tessera_key_free(ec);
  tessera_key_free(back);
  tessera_key_free(pub);
}

static void test_key_from_der(void) {
  uint8_t der[4096], pem[4096], spki[1024];
  size_t der_len = pem_to_der(RSA2048_PKCS8_PEM, der, sizeof der), len = 0, spki_len;
  tessera_key *rsa = NULL, *pub = NULL, *ed = NULL, *out = (tessera_key *)SENTINEL;
  bool priv = true;

  CHECK(der_len > 1000);
  REQUIRE_OK(tessera_key_from_der(der, der_len, "PS256", &rsa));
  CHECK_OK(tessera_key_alg(rsa, pem, sizeof pem, &len));
  CHECK_STR(pem, len, "PS256");
  CHECK_RC(tessera_key_from_der(der, der_len, NULL, &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);
  /* A public key as SPKI DER, from the PEM export. */
  REQUIRE_OK(tessera_key_public_pem(rsa, pem, sizeof pem - 1, &len));
  pem[len] = '\0';
  spki_len = pem_to_der((const char *)pem, spki, sizeof spki);
  CHECK(spki_len > 200);
  CHECK_OK(tessera_key_from_der(spki, spki_len, "RS512", &pub));
  CHECK_OK(tessera_key_is_private(pub, &priv));
  CHECK(!priv);
  /* Ed25519 PKCS#8 DER with the default algorithm. */
  {
    tessera_key *g = gen("Ed25519");
    REQUIRE_OK(tessera_key_private_pem(g, pem, sizeof pem - 1, &len));
    pem[len] = '\0';
    len = pem_to_der((const char *)pem, der, sizeof der);
    CHECK_OK(tessera_key_from_der(der, len, NULL, &ed));
    CHECK_OK(tessera_key_alg(ed, pem, sizeof pem, &len));
    CHECK_STR(pem, len, "EdDSA");
    tessera_key_free(g);
  }

  CHECK_RC(tessera_key_from_der(NULL, 0, NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_der(NULL, 1, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_from_der(der, 10, NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_der(STR("\x30\x03\x02\x01\x00"), NULL, &out),
           TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_key_from_der(spki, spki_len, "\xff", &out), TESSERA_RESULT_INVALID_UTF8);
  CHECK(out == (tessera_key *)SENTINEL);
  CHECK_RC(tessera_key_from_der(spki, spki_len, "RS256", NULL), TESSERA_RESULT_NULL_POINTER);
  tessera_key_free(rsa);
  tessera_key_free(pub);
  tessera_key_free(ed);
}

static void test_key_from_jwk(void) {
  tessera_key *hs = NULL, *rsa = NULL, *ed = NULL, *out = (tessera_key *)SENTINEL;
  uint8_t buf[256];
  size_t len = 0;
  bool priv = false;

  REQUIRE_OK(tessera_key_from_jwk(STR(RFC7515_A1_JWK), "HS256", &hs));
  CHECK_OK(tessera_key_is_private(hs, &priv));
  CHECK(priv);
  CHECK_RC(tessera_key_from_jwk(STR(RFC7515_A1_JWK), NULL, &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH); /* no alg member, none given */
  CHECK_RC(tessera_key_from_jwk(STR(RFC7515_A1_JWK), "ES256", &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);

  /* The JWK's alg binds the key; a different one given is a mismatch; kid is kept. */
  REQUIRE_OK(tessera_key_from_jwk(STR(RFC7638_JWK), NULL, &rsa));
  CHECK_OK(tessera_key_alg(rsa, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "RS256");
  CHECK_OK(tessera_key_kid(rsa, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "2011-04-29");
  CHECK_OK(tessera_key_thumbprint(rsa, buf, sizeof buf, &len));
  CHECK_STR(buf, len, RFC7638_THUMBPRINT);
  CHECK_RC(tessera_key_from_jwk(STR(RFC7638_JWK), "PS256", &out),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);
  CHECK_OK(tessera_key_is_private(rsa, &priv));
  CHECK(!priv);

  REQUIRE_OK(tessera_key_from_jwk(STR(RFC8037_PRIVATE_JWK), NULL, &ed));
  CHECK_OK(tessera_key_alg(ed, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "EdDSA");

  CHECK_RC(tessera_key_from_jwk(NULL, 0, NULL, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_key_from_jwk(NULL, 3, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_from_jwk(STR("{\"kty\":"), NULL, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_key_from_jwk(STR("[]"), NULL, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_key_from_jwk(STR("{\"kty\":\"oct\",\"kty\":\"oct\"}"), "HS256", &out),
           TESSERA_RESULT_DUPLICATE_MEMBER);
  /* A P-521 point that is no point: with ring, any P-521 key is unsupported. */
  CHECK_RC(tessera_key_from_jwk(STR("{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"AA\",\"y\":\"AA\"}"),
                                NULL, &out),
           on_aws_lc() ? TESSERA_RESULT_INVALID_KEY : TESSERA_RESULT_UNSUPPORTED_KEY);
  CHECK_RC(tessera_key_from_jwk(STR(RFC8037_PUBLIC_JWK), "\xff", &out),
           TESSERA_RESULT_INVALID_UTF8);
  CHECK(out == (tessera_key *)SENTINEL);
  CHECK_RC(tessera_key_from_jwk(STR(RFC8037_PUBLIC_JWK), NULL, NULL),
           TESSERA_RESULT_NULL_POINTER);
  tessera_key_free(hs);
  tessera_key_free(rsa);
  tessera_key_free(ed);
}

static void test_key_hmac(void) {
  static const uint8_t secret[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
  tessera_key *key = NULL, *out = (tessera_key *)SENTINEL;
  uint8_t buf[256];
  size_t len = 0;

  REQUIRE_OK(tessera_key_hmac(secret, 32, "HS256", &key));
  CHECK_OK(tessera_key_alg(key, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "HS256");
  tessera_key_free(key);
  key = NULL;
  CHECK_OK(tessera_key_hmac(secret, 64, "HS512", &key));
  tessera_key_free(key);

  CHECK_RC(tessera_key_hmac(secret, 31, "HS256", &out), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_key_hmac(secret, 47, "HS384", &out), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_key_hmac(NULL, 0, "HS256", &out), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_key_hmac(NULL, 32, "HS256", &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_hmac(secret, 32, "ES256", &out), TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);
  CHECK_RC(tessera_key_hmac(secret, 32, "none", &out), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
  CHECK_RC(tessera_key_hmac(secret, 32, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_hmac(secret, 32, "\xff", &out), TESSERA_RESULT_INVALID_UTF8);
  CHECK(out == (tessera_key *)SENTINEL);
  CHECK_RC(tessera_key_hmac(secret, 32, "HS256", NULL), TESSERA_RESULT_NULL_POINTER);
}

static void test_key_with_kid_public_free(void) {
  tessera_key *key = gen("ES256"), *named = NULL, *pub = NULL, *hs = gen("HS256");
  tessera_key *out = (tessera_key *)SENTINEL;
  tessera_verifier_builder *b = builder();
  uint8_t buf[64];
  size_t len = 99;
  bool priv = true;

  /* A key without kid writes an empty kid: (NULL, 0) is enough. */
  CHECK_OK(tessera_key_kid(key, NULL, 0, &len));
  CHECK(len == 0);
  REQUIRE_OK(tessera_key_with_kid(key, "2026-11", &named));
  CHECK_OK(tessera_key_kid(named, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "2026-11");
  CHECK_OK(tessera_key_kid(key, buf, sizeof buf, &len)); /* the original is unchanged */
  CHECK(len == 0);

  REQUIRE_OK(tessera_key_public(named, &pub));
  CHECK_OK(tessera_key_is_private(pub, &priv));
  CHECK(!priv);
  CHECK_OK(tessera_key_kid(pub, buf, sizeof buf, &len)); /* kid and alg carry over */
  CHECK_STR(buf, len, "2026-11");
  CHECK_OK(tessera_key_alg(pub, buf, sizeof buf, &len));
  CHECK_STR(buf, len, "ES256");
  CHECK_RC(tessera_key_public(hs, &out), TESSERA_RESULT_NO_PUBLIC_KEY);

  CHECK_RC(tessera_key_with_kid(NULL, "x", &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_with_kid(key, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_with_kid(key, "\xff", &out), TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_key_with_kid((const tessera_key *)(void *)b, "x", &out),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_key_public(NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_public((const tessera_key *)(void *)b, &out), TESSERA_RESULT_WRONG_HANDLE);
  CHECK(out == (tessera_key *)SENTINEL);
  CHECK_RC(tessera_key_with_kid(key, "x", NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_public(key, NULL), TESSERA_RESULT_NULL_POINTER);

  CHECK_RC(tessera_key_is_private(NULL, &priv), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_is_private(key, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_key_is_private((const tessera_key *)(void *)b, &priv),
           TESSERA_RESULT_WRONG_HANDLE);

  /* Freeing a handle of another kind through tessera_key_free is ignored (tagged handles):
   * the builder stays usable and is freed by its own function. */
  tessera_key_free((tessera_key *)(void *)b);
  CHECK_OK(tessera_verifier_builder_set_leeway(b, 5));
  tessera_key_free(NULL);
  tessera_verifier_builder_free(b);
  tessera_key_free(key);
  tessera_key_free(named);
  tessera_key_free(pub);
  tessera_key_free(hs);
}

static const struct {
  const char *name;
  key_text_fn fn;
  int deterministic;
} KEY_TEXT_FNS[] = {
    {"tessera_key_alg", tessera_key_alg, 1},
    {"tessera_key_kid", tessera_key_kid, 1},
    {"tessera_key_public_jwk", tessera_key_public_jwk, 1},
    {"tessera_key_private_jwk", tessera_key_private_jwk, 1},
    {"tessera_key_public_pem", tessera_key_public_pem, 1},
    {"tessera_key_private_pem", tessera_key_private_pem, 1},
    {"tessera_key_thumbprint", tessera_key_thumbprint, 1},
};
#define N_KEY_TEXT (sizeof KEY_TEXT_FNS / sizeof KEY_TEXT_FNS[0])

/* Every key output function: the buffer convention, NULL and wrong handles, then contents. */
static void test_key_outputs(void) {
  tessera_key *key = gen_kid("ES256", "k1"), *hs = gen_kid("HS384", "h"), *pub = NULL;
  tessera_keyset *set = NULL;
  char *text[N_KEY_TEXT] = {0};
  size_t len = 0;
  uint8_t buf[16];
  REQUIRE_OK(tessera_key_public(key, &pub));
  REQUIRE_OK(tessera_keyset_new((const tessera_key *const *)&pub, 1, &set));

  for (size_t i = 0; i < N_KEY_TEXT; i++) {
    struct key_text call = {KEY_TEXT_FNS[i].fn, key};
    text[i] = check_out(KEY_TEXT_FNS[i].name, call_key_text, &call, KEY_TEXT_FNS[i].deterministic,
                        &len);
    CHECK(text[i] != NULL && len > 0);
    len = 7;
    CHECK_RC(KEY_TEXT_FNS[i].fn(NULL, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(KEY_TEXT_FNS[i].fn((const tessera_key *)(void *)set, buf, sizeof buf, &len),
             TESSERA_RESULT_WRONG_HANDLE);
    CHECK(len == 7);
  }
  CHECK(strcmp(text[0], "ES256") == 0);
  CHECK(strcmp(text[1], "k1") == 0);
  CHECK(strstr(text[2], "\"kty\":\"EC\"") && strstr(text[2], "\"kid\":\"k1\"") &&
        !strstr(text[2], "\"d\""));
  CHECK(strstr(text[3], "\"d\":") != NULL);
  CHECK(strncmp(text[4], "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
  CHECK(strncmp(text[5], "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
  CHECK(strlen(text[6]) == 43); /* base64url of SHA-256 */

  /* The public key exports the same public forms; its private forms are refused. */
  {
    struct key_text call = {tessera_key_public_jwk, pub};
    char *pub_jwk = check_out("public_jwk of pub", call_key_text, &call, 1, &len);
    CHECK(pub_jwk && strcmp(pub_jwk, text[2]) == 0);
    free(pub_jwk);
    call.fn = tessera_key_thumbprint;
    pub_jwk = check_out("thumbprint of pub", call_key_text, &call, 1, &len);
    CHECK(pub_jwk && strcmp(pub_jwk, text[6]) == 0);
    free(pub_jwk);
    call.fn = tessera_key_private_jwk;
    check_out_rc("private_jwk of pub", call_key_text, &call, 1, TESSERA_RESULT_NOT_PRIVATE_KEY,
                 &len);
    call.fn = tessera_key_private_pem;
    check_out_rc("private_pem of pub", call_key_text, &call, 1, TESSERA_RESULT_NOT_PRIVATE_KEY,
                 &len);
  }
  /* HMAC keys have a private JWK only. */
  {
    struct key_text call = {tessera_key_private_jwk, hs};
    char *jwk = check_out("private_jwk of hs", call_key_text, &call, 1, &len);
    CHECK(jwk && strstr(jwk, "\"kty\":\"oct\"") && strstr(jwk, "\"k\":"));
    free(jwk);
    call.fn = tessera_key_public_jwk;
    check_out_rc("public_jwk of hs", call_key_text, &call, 1, TESSERA_RESULT_NO_PUBLIC_KEY, &len);
    call.fn = tessera_key_public_pem;
    check_out_rc("public_pem of hs", call_key_text, &call, 1, TESSERA_RESULT_NO_PUBLIC_KEY, &len);
    call.fn = tessera_key_private_pem;
    check_out_rc("private_pem of hs", call_key_text, &call, 1, TESSERA_RESULT_NO_PUBLIC_KEY,
                 &len);
    call.fn = tessera_key_thumbprint;
    jwk = check_out("thumbprint of hs", call_key_text, &call, 1, &len);
    CHECK(jwk && len == 43);
    free(jwk);
  }
  /* The private JWK loads back into the same key. */
  {
    tessera_key *back = NULL;
    uint8_t thumb[64];
    REQUIRE_OK(tessera_key_from_jwk(STR(text[3]), NULL, &back));
    CHECK_OK(tessera_key_thumbprint(back, thumb, sizeof thumb, &len));
    CHECK_STR(thumb, len, text[6]);
    tessera_key_free(back);
  }
  for (size_t i = 0; i < N_KEY_TEXT; i++) free(text[i]);
  tessera_keyset_free(set);
  tessera_key_free(key);
  tessera_key_free(hs);
  tessera_key_free(pub);
}

/* ---- JWKS and key sets -------------------------------------------------------------------- */

static void test_jwks(void) {
  tessera_key *a = gen_kid("ES256", "a"), *b = gen_kid("Ed25519", "b"), *hs = gen("HS256");
  tessera_verifier_builder *bad = builder();
  const tessera_key *both[2] = {a, b};
  size_t len = 0;
  uint8_t buf[16];
  struct jwks_call call = {both, 2};
  char *doc = check_out("tessera_jwks", call_jwks, &call, 1, &len);
  CHECK(doc && strstr(doc, "\"keys\"") && strstr(doc, "\"kid\":\"a\"") &&
        strstr(doc, "\"kid\":\"b\"") && !strstr(doc, "\"d\""));
  free(doc);

  call.count = 0;
  call.keys = NULL;
  doc = check_out("tessera_jwks (NULL, 0)", call_jwks, &call, 1, &len);
  CHECK(doc && strstr(doc, "\"keys\":[]"));
  free(doc);

  {
    const tessera_key *with_hs[2] = {a, hs};
    const tessera_key *with_null[2] = {a, NULL};
    const tessera_key *with_wrong[2] = {a, (const tessera_key *)(void *)bad};
    len = 5;
    CHECK_RC(tessera_jwks(with_hs, 2, buf, sizeof buf, &len), TESSERA_RESULT_NO_PUBLIC_KEY);
    CHECK_RC(tessera_jwks(with_null, 2, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_jwks(with_wrong, 2, buf, sizeof buf, &len), TESSERA_RESULT_WRONG_HANDLE);
    CHECK_RC(tessera_jwks(NULL, 1, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
    CHECK(len == 5);
  }
  tessera_verifier_builder_free(bad);
  tessera_key_free(a);
  tessera_key_free(b);
  tessera_key_free(hs);
}

static void test_keyset(void) {
  tessera_key *a = gen_kid("ES256", "a"), *b = gen_kid("ES384", "b"), *hs = gen("HS256");
  tessera_key *a2 = gen_kid("ES256", "a"), *a3 = gen_kid("Ed25519", "a");
  tessera_verifier_builder *bad = builder();
  tessera_keyset *set = NULL, *parsed = NULL, *out = (tessera_keyset *)SENTINEL;
  size_t n = 0, len = 0;
  char *doc;

  {
    const tessera_key *keys[2] = {a, b};
    REQUIRE_OK(tessera_keyset_new(keys, 2, &set));
  }
  CHECK_OK(tessera_keyset_len(set, &n));
  CHECK(n == 2);
  doc = check_out("tessera_keyset_to_jwks", call_keyset_to_jwks, set, 1, &len);
  REQUIRE_OK(doc ? TESSERA_RESULT_OK : TESSERA_RESULT_PANIC);
  CHECK(strstr(doc, "\"kid\":\"a\"") && strstr(doc, "\"kid\":\"b\""));

  /* The JWKS parses back into a set of the same keys. */
  CHECK_OK(tessera_keyset_from_jwks(STR(doc), NULL, &parsed));
  CHECK_OK(tessera_keyset_len(parsed, &n));
  CHECK(n == 2);
  CHECK_OK(tessera_keyset_from_jwks(STR(doc), "ES256, ES384", &out));
  tessera_keyset_free(out);
  out = (tessera_keyset *)SENTINEL;
  free(doc);

  /* default_algs bind keys that have no alg (the RSA key of RFC 7517 without its alg). */
  {
    char jwks[1024];
    tessera_keyset *rsa = NULL;
    const char *alg = strstr(RFC7638_JWK, ",\"alg\"");
    snprintf(jwks, sizeof jwks, "{\"keys\":[%.*s}]}", (int)(alg - RFC7638_JWK), RFC7638_JWK);
    CHECK_OK(tessera_keyset_from_jwks(STR(jwks), "RS256,PS256", &rsa));
    CHECK_OK(tessera_keyset_len(rsa, &n));
    CHECK(n >= 1);
    tessera_keyset_free(rsa);
    CHECK_RC(tessera_keyset_from_jwks(STR(jwks), "RS256,XX", &out),
             TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_RC(tessera_keyset_from_jwks(STR(jwks), "\xff", &out), TESSERA_RESULT_INVALID_UTF8);
  }

  CHECK_RC(tessera_keyset_from_jwks(NULL, 0, NULL, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_keyset_from_jwks(NULL, 2, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_keyset_from_jwks(STR("{\"keys\":[]}"), NULL, &out),
           TESSERA_RESULT_KEY_NOT_FOUND);
  CHECK_RC(tessera_keyset_from_jwks(STR("{\"keys\":1}"), NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_keyset_from_jwks(STR("{}"), NULL, &out), TESSERA_RESULT_INVALID_KEY);
  CHECK_RC(tessera_keyset_from_jwks(STR("{\"keys\":[],\"keys\":[]}"), NULL, &out),
           TESSERA_RESULT_DUPLICATE_MEMBER);
  {
    /* NULL out with a document that would otherwise load. */
    char jwks[512];
    struct jwks_call call = {(const tessera_key *const *)&a, 1};
    CHECK_OK(call_jwks(&call, (uint8_t *)jwks, sizeof jwks - 1, &len));
    CHECK_RC(tessera_keyset_from_jwks((const uint8_t *)jwks, len, NULL, NULL),
             TESSERA_RESULT_NULL_POINTER);
  }

  /* Ambiguous sets: a duplicate kid, symmetric mixed with asymmetric. */
  {
    const tessera_key *dup[2] = {a, a2};
    const tessera_key *same_kid_other_alg[2] = {a, a3};
    const tessera_key *mixed[2] = {a, hs};
    const tessera_key *with_null[2] = {a, NULL};
    const tessera_key *with_wrong[2] = {a, (const tessera_key *)(void *)bad};
    CHECK_RC(tessera_keyset_new(dup, 2, &out), TESSERA_RESULT_AMBIGUOUS_KEY_SET);
    /* A shared kid with different algorithms is allowed by tessera_keyset_new (documented
     * for KeySet::new; note that tessera_keyset_from_jwks refuses any shared kid). */
    {
      tessera_keyset *ok = NULL;
      CHECK_OK(tessera_keyset_new(same_kid_other_alg, 2, &ok));
      tessera_keyset_free(ok);
    }
    CHECK_RC(tessera_keyset_new(mixed, 2, &out), TESSERA_RESULT_AMBIGUOUS_KEY_SET);
    CHECK_RC(tessera_keyset_new(with_null, 2, &out), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_keyset_new(with_wrong, 2, &out), TESSERA_RESULT_WRONG_HANDLE);
    CHECK_RC(tessera_keyset_new(NULL, 1, &out), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_keyset_new(NULL, 0, &out), TESSERA_RESULT_KEY_NOT_FOUND);
    CHECK_RC(tessera_keyset_new(dup, 1, NULL), TESSERA_RESULT_NULL_POINTER);
  }
  CHECK(out == (tessera_keyset *)SENTINEL);

  n = 77;
  CHECK_RC(tessera_keyset_len(NULL, &n), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_keyset_len(set, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_keyset_len((const tessera_keyset *)(void *)a, &n), TESSERA_RESULT_WRONG_HANDLE);
  CHECK(n == 77);
  len = 0;
  CHECK_RC(tessera_keyset_to_jwks(NULL, NULL, 0, &len), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_keyset_to_jwks((const tessera_keyset *)(void *)bad, NULL, 0, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 0);

  tessera_keyset_free((tessera_keyset *)(void *)a); /* another kind: ignored */
  tessera_keyset_free(NULL);
  tessera_keyset_free(set);
  tessera_keyset_free(parsed);
  tessera_verifier_builder_free(bad);
  tessera_key_free(a);
  tessera_key_free(a2);
  tessera_key_free(a3);
  tessera_key_free(b);
  tessera_key_free(hs);
}

/* ---- signing ------------------------------------------------------------------------------ */

static void test_sign(void) {
  tessera_key *key = gen_kid("ES256", "sig-1"), *pub = NULL;
  tessera_keyset *set = NULL;
  tessera_verifier *v = NULL;
  uint8_t buf[64];
  size_t len = 0;
  char *token;
  const char *claims = "{\"sub\":\"u\",\"exp\":1800000300,\"n\":[1,2,{\"x\":null}]}";
  struct sign_call call = {key, "{\"typ\":\"at+jwt\"}", claims, 0};

  token = check_out("tessera_sign", call_sign, &call, 0, &len);
  REQUIRE_OK(token ? TESSERA_RESULT_OK : TESSERA_RESULT_PANIC);
  CHECK(strchr(token, '.') && strchr(strchr(token, '.') + 1, '.'));
  v = verifier_for(key, NULL, NULL);
  {
    tessera_verified *ok = NULL;
    uint8_t header[256], body[256];
    size_t hl = 0, bl = 0;
    REQUIRE_OK(tessera_verify_full(v, STR(token), NOW, &ok));
    CHECK_OK(tessera_verified_header(ok, header, sizeof header, &hl));
    CHECK(has(header, hl, "\"typ\":\"at+jwt\"") && has(header, hl, "\"kid\":\"sig-1\"") &&
          has(header, hl, "\"alg\":\"ES256\""));
    /* The claims come back byte for byte. */
    CHECK_OK(tessera_verified_claims(ok, body, sizeof body, &bl));
    CHECK_STR(body, bl, claims);
    tessera_verified_free(ok);
  }
  free(token);

  /* No header: (NULL, 0); a header kid overrides the key's. */
  call.header = NULL;
  token = check_out("tessera_sign (NULL, 0) header", call_sign, &call, 0, &len);
  CHECK(token != NULL);
  CHECK_RC(token ? tessera_verify_result(v, STR(token), NOW) : TESSERA_RESULT_PANIC,
           TESSERA_RESULT_OK);
  free(token);
  call.header = "{\"kid\":\"other\",\"x-extra\":[true]}";
  token = check_out("tessera_sign with kid", call_sign, &call, 0, &len);
  {
    tessera_verified *ok = NULL;
    uint8_t header[256];
    size_t hl = 0;
    REQUIRE_OK(token ? tessera_verify_full(v, STR(token), NOW, &ok) : TESSERA_RESULT_PANIC);
    CHECK_OK(tessera_verified_header(ok, header, sizeof header, &hl));
    CHECK(has(header, hl, "\"kid\":\"other\""));
    tessera_verified_free(ok);
  }
  free(token);

  /* RSA signing (RS256 is deterministic). */
  {
    tessera_key *rsa = NULL;
    REQUIRE_OK(tessera_key_from_pem(STR(RSA2048_PKCS8_PEM), "RS256", &rsa));
    call.key = rsa;
    call.header = NULL;
    token = check_out("tessera_sign RS256", call_sign, &call, 1, &len);
    CHECK(token && len > 300);
    free(token);
    tessera_key_free(rsa);
    call.key = key;
  }

  /* Errors. */
  REQUIRE_OK(tessera_key_public(key, &pub));
  len = 3;
  CHECK_RC(tessera_sign(pub, NULL, 0, STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_NOT_PRIVATE_KEY);
  CHECK_RC(tessera_sign(key, NULL, 0, NULL, 0, buf, sizeof buf, &len), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_sign(key, NULL, 0, STR("[1]"), buf, sizeof buf, &len),
           TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_sign(key, NULL, 0, STR("{\"a\":1,\"a\":2}"), buf, sizeof buf, &len),
           TESSERA_RESULT_DUPLICATE_MEMBER);
  CHECK_RC(tessera_sign(key, STR("{\"typ\":1}"), STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_INVALID_HEADER);
  CHECK_RC(tessera_sign(key, STR("{\"typ\""), STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_sign(key, NULL, 4, STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign(key, NULL, 0, NULL, 4, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign(NULL, NULL, 0, STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign((const tessera_key *)(void *)v, NULL, 0, STR(claims), buf, sizeof buf, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 3);

  REQUIRE_OK(tessera_keyset_new((const tessera_key *const *)&pub, 1, &set));
  CHECK_RC(tessera_sign((const tessera_key *)(void *)set, NULL, 0, STR(claims), buf, sizeof buf,
                        &len),
           TESSERA_RESULT_WRONG_HANDLE);
  tessera_keyset_free(set);
  tessera_verifier_free(v);
  tessera_key_free(key);
  tessera_key_free(pub);
}

static void test_sign_jws(void) {
  tessera_key *ed = NULL, *hs = NULL;
  tessera_verifier_builder *b = builder();
  size_t len = 0;
  uint8_t buf[64];
  char *token;
  REQUIRE_OK(tessera_key_from_jwk(STR(RFC8037_PRIVATE_JWK), NULL, &ed));
  REQUIRE_OK(tessera_key_from_jwk(STR(RFC7515_A1_JWK), "HS256", &hs));

  /* Deterministic algorithms reproduce the RFC tokens byte for byte. */
  {
    struct sign_call call = {ed, RFC8037_HEADER, RFC8037_PAYLOAD, 1};
    token = check_out("tessera_sign_jws RFC 8037", call_sign, &call, 1, &len);
    CHECK(token && strcmp(token, RFC8037_TOKEN) == 0);
    free(token);
  }
  {
    struct sign_call call = {hs, RFC7515_A1_HEADER, RFC7515_A1_PAYLOAD, 1};
    token = check_out("tessera_sign_jws RFC 7515 A.1", call_sign, &call, 1, &len);
    CHECK(token && strcmp(token, RFC7515_A1_TOKEN) == 0);
    free(token);
  }
  /* An empty payload (NULL, 0) is allowed at the JWS layer. */
  {
    struct sign_call call = {ed, RFC8037_HEADER, "", 1};
    token = check_out("tessera_sign_jws empty payload", call_sign, &call, 1, &len);
    CHECK(token && strstr(token, "..") != NULL);
    free(token);
  }
  len = 9;
  CHECK_RC(tessera_sign_jws(ed, STR("{\"alg\":\"HS256\"}"), STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_ALGORITHM_MISMATCH);
  CHECK_RC(tessera_sign_jws(ed, STR("{\"alg\":\"none\"}"), STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
  CHECK_RC(tessera_sign_jws(ed, STR("{}"), STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_INVALID_HEADER);
  CHECK_RC(tessera_sign_jws(ed, STR("{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}"), STR("x"), buf,
                            sizeof buf, &len),
           TESSERA_RESULT_DUPLICATE_MEMBER);
  CHECK_RC(tessera_sign_jws(ed, NULL, 0, STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_sign_jws(ed, NULL, 1, STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign_jws(ed, STR(RFC8037_HEADER), NULL, 1, buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign_jws(NULL, STR(RFC8037_HEADER), STR("x"), buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_sign_jws((const tessera_key *)(void *)b, STR(RFC8037_HEADER), STR("x"), buf,
                            sizeof buf, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 9);
  tessera_verifier_builder_free(b);
  tessera_key_free(ed);
  tessera_key_free(hs);
}

/* ---- verifier builder and verifiers ------------------------------------------------------- */

typedef tessera_result (*builder_str_fn)(tessera_verifier_builder *, const char *);
static const struct {
  const char *name;
  builder_str_fn fn;
} BUILDER_STR_FNS[] = {
    {"tessera_verifier_builder_add_issuer", tessera_verifier_builder_add_issuer},
    {"tessera_verifier_builder_add_audience", tessera_verifier_builder_add_audience},
    {"tessera_verifier_builder_set_subject", tessera_verifier_builder_set_subject},
    {"tessera_verifier_builder_set_typ", tessera_verifier_builder_set_typ},
    {"tessera_verifier_builder_require_claim", tessera_verifier_builder_require_claim},
    {"tessera_verifier_builder_add_critical", tessera_verifier_builder_add_critical},
    {"tessera_verifier_builder_add_algorithm", tessera_verifier_builder_add_algorithm},
};

static void test_builder(void) {
  tessera_verifier_builder *b = NULL, *out = (tessera_verifier_builder *)SENTINEL;
  tessera_key *key = gen("ES256");
  tessera_keyset *set = NULL;
  tessera_verifier *v = NULL, *vout = (tessera_verifier *)SENTINEL;
  tessera_verifier_builder *wrong = (tessera_verifier_builder *)(void *)key;

  CHECK_RC(tessera_verifier_builder_new(NULL), TESSERA_RESULT_NULL_POINTER);
  REQUIRE_OK(tessera_verifier_builder_new(&b));
  REQUIRE_OK(tessera_keyset_new((const tessera_key *const *)&key, 1, &set));

  for (size_t i = 0; i < sizeof BUILDER_STR_FNS / sizeof BUILDER_STR_FNS[0]; i++) {
    builder_str_fn fn = BUILDER_STR_FNS[i].fn;
    const char *value = fn == tessera_verifier_builder_add_algorithm ? "ES256" : "x";
    if (!harness_rc(__FILE__, __LINE__, BUILDER_STR_FNS[i].name, fn(b, value), TESSERA_RESULT_OK))
      continue;
    harness_rc(__FILE__, __LINE__, BUILDER_STR_FNS[i].name, fn(NULL, value),
               TESSERA_RESULT_NULL_POINTER);
    harness_rc(__FILE__, __LINE__, BUILDER_STR_FNS[i].name, fn(b, NULL),
               TESSERA_RESULT_NULL_POINTER);
    harness_rc(__FILE__, __LINE__, BUILDER_STR_FNS[i].name, fn(b, "\xfe"),
               TESSERA_RESULT_INVALID_UTF8);
    harness_rc(__FILE__, __LINE__, BUILDER_STR_FNS[i].name, fn(wrong, value),
               TESSERA_RESULT_WRONG_HANDLE);
  }
  CHECK_RC(tessera_verifier_builder_add_algorithm(b, "none"),
           TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
  CHECK_RC(tessera_verifier_builder_add_algorithm(b, "HS257"),
           TESSERA_RESULT_UNSUPPORTED_ALGORITHM);

  /* The numeric and flag settings. */
  CHECK_OK(tessera_verifier_builder_set_leeway(b, 10));
  CHECK_OK(tessera_verifier_builder_set_max_age(b, 3600));
  CHECK_OK(tessera_verifier_builder_set_require_exp(b, true));
  CHECK_OK(tessera_verifier_builder_accept_any_audience(b));
  CHECK_OK(tessera_verifier_builder_set_max_token_len(b, 8192));
  CHECK_OK(tessera_verifier_builder_set_max_header_len(b, 1024));
  CHECK_OK(tessera_verifier_builder_set_max_claims(b, 512));
  CHECK_RC(tessera_verifier_builder_set_leeway(NULL, 1), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_max_age(NULL, 1), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_require_exp(NULL, false), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_accept_any_audience(NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_max_token_len(NULL, 1), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_max_header_len(NULL, 1), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_max_claims(NULL, 1), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_builder_set_leeway(wrong, 1), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_set_max_age(wrong, 1), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_set_require_exp(wrong, false), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_accept_any_audience(wrong), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_set_max_token_len(wrong, 1), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_set_max_header_len(wrong, 1), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_builder_set_max_claims(wrong, 1), TESSERA_RESULT_WRONG_HANDLE);

  /* One builder builds several verifiers, for a key and for a key set. */
  CHECK_OK(tessera_verifier_new_with_key(b, key, &v));
  tessera_verifier_free(v);
  v = NULL;
  CHECK_OK(tessera_verifier_new_with_keyset(b, set, &v));

  CHECK_RC(tessera_verifier_new_with_key(NULL, key, &vout), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_key(b, NULL, &vout), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_key(b, key, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_key((const tessera_verifier_builder *)(void *)set, key, &vout),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_new_with_key(b, (const tessera_key *)(void *)set, &vout),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_new_with_keyset(NULL, set, &vout), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_keyset(b, NULL, &vout), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_keyset(b, set, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verifier_new_with_keyset(wrong, set, &vout), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verifier_new_with_keyset(b, (const tessera_keyset *)(void *)key, &vout),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(vout == (tessera_verifier *)SENTINEL);

  /* Invalid policies fail when built. */
  {
    tessera_verifier_builder *lax = builder();
    CHECK_OK(tessera_verifier_builder_set_leeway(lax, 301));
    CHECK_RC(tessera_verifier_new_with_key(lax, key, &vout), TESSERA_RESULT_INVALID_ARGUMENT);
    tessera_verifier_builder_free(lax);
    lax = builder();
    CHECK_OK(tessera_verifier_builder_add_issuer(lax, ""));
    CHECK_RC(tessera_verifier_new_with_key(lax, key, &vout), TESSERA_RESULT_INVALID_ARGUMENT);
    tessera_verifier_builder_free(lax);
    lax = builder();
    CHECK_OK(tessera_verifier_builder_set_max_token_len(lax, 0));
    CHECK_RC(tessera_verifier_new_with_keyset(lax, set, &vout), TESSERA_RESULT_INVALID_ARGUMENT);
    tessera_verifier_builder_free(lax);
    CHECK(vout == (tessera_verifier *)SENTINEL);
  }

  CHECK(out == (tessera_verifier_builder *)SENTINEL);
  tessera_verifier_builder_free((tessera_verifier_builder *)(void *)key); /* ignored */
  tessera_verifier_free((tessera_verifier *)(void *)key);                 /* ignored */
  tessera_verifier_builder_free(NULL);
  tessera_verifier_free(NULL);
  tessera_verifier_free(v);
  tessera_verifier_builder_free(b);
  tessera_keyset_free(set);
  tessera_key_free(key);
}

/* A verifier owns what it needs: keys, key sets and the builder may be freed first. */
static void test_verifier_outlives_inputs(void) {
  tessera_key *key = gen_kid("ES384", "k"), *pub = NULL;
  tessera_keyset *set = NULL;
  tessera_verifier_builder *b = builder();
  tessera_verifier *by_key = NULL, *by_set = NULL;
  struct token t;
  REQUIRE_OK(tessera_key_public(key, &pub));
  REQUIRE_OK(tessera_keyset_new((const tessera_key *const *)&pub, 1, &set));
  REQUIRE_OK(tessera_verifier_builder_add_issuer(b, "iss"));
  REQUIRE_OK(tessera_verifier_new_with_key(b, pub, &by_key));
  REQUIRE_OK(tessera_verifier_new_with_keyset(b, set, &by_set));
  REQUIRE_OK(sign_to(key, NULL, "{\"iss\":\"iss\",\"exp\":1800000300}", &t));
  tessera_verifier_builder_free(b);
  tessera_keyset_free(set);
  tessera_key_free(pub);
  tessera_key_free(key);
  CHECK_OK(tessera_verify_result(by_key, STR(t.s), NOW));
  CHECK_OK(tessera_verify_result(by_set, STR(t.s), NOW));
  tessera_verifier_free(by_key);
  tessera_verifier_free(by_set);
}

/* Signs `claims` with `key`, verifies with a verifier built from `b` at `now`; returns the code. */
static uint32_t verify_with(tessera_verifier_builder *b, const tessera_key *key,
                            const char *header, const char *claims, int64_t now) {
  struct token t;
  tessera_verifier *v = NULL;
  uint32_t rc = sign_to(key, header, claims, &t);
  if (rc != TESSERA_RESULT_OK) {
    rc += 10000; /* not a result code: the signing failed */
  } else if ((rc = tessera_verifier_new_with_key(b, key, &v)) != TESSERA_RESULT_OK) {
    rc += 20000; /* the verifier could not be built */
  } else {
    rc = tessera_verify_result(v, (const uint8_t *)t.s, t.len, now);
  }
  tessera_verifier_free(v);
  tessera_verifier_builder_free(b);
  return rc;
}

/* Every policy setting changes the verdict the way the header documents. */
static void test_policy(void) {
  tessera_key *key = gen_kid("ES256", "p");
  tessera_verifier_builder *b;
  const char *full =
      "{\"iss\":\"https://auth.example\",\"sub\":\"user-42\",\"aud\":[\"api\",\"other\"],"
      "\"iat\":1799999000,\"nbf\":1799999000,\"exp\":1800000300,\"scope\":\"a b\"}";
#define POLICY(setup, header, claims, now, want) \
  do {                                           \
    b = builder();                               \
    setup;                                       \
    CHECK_RC(verify_with(b, key, header, claims, now), want); \
  } while (0)
  /* Defaults: exp required, no audience expected (so a token with aud is refused). */
  POLICY((void)0, NULL, "{\"exp\":1800000300}", NOW, TESSERA_RESULT_OK);
  POLICY((void)0, NULL, "{\"sub\":\"x\"}", NOW, TESSERA_RESULT_MISSING_CLAIM);
  POLICY((void)0, NULL, full, NOW, TESSERA_RESULT_AUDIENCE_MISMATCH);
  POLICY(tessera_verifier_builder_accept_any_audience(b), NULL, full, NOW, TESSERA_RESULT_OK);
  POLICY(tessera_verifier_builder_set_require_exp(b, false), NULL, "{\"sub\":\"x\"}", NOW,
         TESSERA_RESULT_OK);
  POLICY((void)0, NULL, "{\"exp\":\"1800000300\"}", NOW, TESSERA_RESULT_INVALID_CLAIM_TYPE);
  /* Time: leeway 30 s by default. */
  POLICY((void)0, NULL, "{\"exp\":1800000000}", NOW + 29, TESSERA_RESULT_OK);
  POLICY((void)0, NULL, "{\"exp\":1800000000}", NOW + 31, TESSERA_RESULT_EXPIRED);
  POLICY(tessera_verifier_builder_set_leeway(b, 0), NULL, "{\"exp\":1800000000}", NOW + 1,
         TESSERA_RESULT_EXPIRED);
  POLICY((void)0, NULL, "{\"exp\":1800000300,\"nbf\":1800000100}", NOW,
         TESSERA_RESULT_NOT_YET_VALID);
  POLICY((void)0, NULL, "{\"exp\":1800000300,\"iat\":1800000100}", NOW,
         TESSERA_RESULT_ISSUED_IN_FUTURE);
  POLICY(tessera_verifier_builder_set_max_age(b, 60), NULL,
         "{\"exp\":1800000300,\"iat\":1799999000}", NOW, TESSERA_RESULT_TOO_OLD);
  POLICY(tessera_verifier_builder_set_max_age(b, 60), NULL, "{\"exp\":1800000300}", NOW,
         TESSERA_RESULT_MISSING_CLAIM);
  /* Expected values. */
  POLICY((tessera_verifier_builder_add_issuer(b, "https://auth.example"),
          tessera_verifier_builder_add_audience(b, "api")),
         NULL, full, NOW, TESSERA_RESULT_OK);
  POLICY((tessera_verifier_builder_add_issuer(b, "https://other"),
          tessera_verifier_builder_add_issuer(b, "https://auth.example"),
          tessera_verifier_builder_add_audience(b, "nope"),
          tessera_verifier_builder_add_audience(b, "other")),
         NULL, full, NOW, TESSERA_RESULT_OK);
  POLICY((tessera_verifier_builder_add_issuer(b, "https://evil"),
          tessera_verifier_builder_add_audience(b, "api")),
         NULL, full, NOW, TESSERA_RESULT_ISSUER_MISMATCH);
  POLICY(tessera_verifier_builder_add_audience(b, "nope"), NULL, full, NOW,
         TESSERA_RESULT_AUDIENCE_MISMATCH);
  POLICY(tessera_verifier_builder_add_issuer(b, "https://auth.example"), NULL,
         "{\"exp\":1800000300}", NOW, TESSERA_RESULT_MISSING_CLAIM);
  POLICY((tessera_verifier_builder_set_subject(b, "user-42"),
          tessera_verifier_builder_accept_any_audience(b)),
         NULL, full, NOW, TESSERA_RESULT_OK);
  POLICY((tessera_verifier_builder_set_subject(b, "user-43"),
          tessera_verifier_builder_accept_any_audience(b)),
         NULL, full, NOW, TESSERA_RESULT_SUBJECT_MISMATCH);
  POLICY(tessera_verifier_builder_set_typ(b, "at+jwt"), "{\"typ\":\"application/AT+JWT\"}",
         "{\"exp\":1800000300}", NOW, TESSERA_RESULT_OK);
  POLICY(tessera_verifier_builder_set_typ(b, "at+jwt"), "{\"typ\":\"JWT\"}",
         "{\"exp\":1800000300}", NOW, TESSERA_RESULT_TYPE_MISMATCH);
  POLICY(tessera_verifier_builder_require_claim(b, "scope"), NULL,
         "{\"exp\":1800000300,\"scope\":\"a\"}", NOW, TESSERA_RESULT_OK);
  POLICY(tessera_verifier_builder_require_claim(b, "scope"), NULL, "{\"exp\":1800000300}", NOW,
         TESSERA_RESULT_MISSING_CLAIM);
  /* crit extensions must be declared understood. */
  POLICY((void)0, "{\"crit\":[\"x-ext\"],\"x-ext\":1}", "{\"exp\":1800000300}", NOW,
         TESSERA_RESULT_UNSUPPORTED_CRITICAL);
  POLICY(tessera_verifier_builder_add_critical(b, "x-ext"), "{\"crit\":[\"x-ext\"],\"x-ext\":1}",
         "{\"exp\":1800000300}", NOW, TESSERA_RESULT_OK);
  /* Algorithm allow-list (an extra filter: the key already decides). */
  POLICY((tessera_verifier_builder_add_algorithm(b, "ES384"),
          tessera_verifier_builder_add_algorithm(b, "ES256")),
         NULL, "{\"exp\":1800000300}", NOW, TESSERA_RESULT_OK);
  /* An allow-list that excludes the key's own algorithm is refused when the verifier is built. */
  POLICY(tessera_verifier_builder_add_algorithm(b, "HS256"), NULL, "{\"exp\":1800000300}", NOW,
         20000 + TESSERA_RESULT_INVALID_ARGUMENT);
  /* Size limits, checked before decoding. */
  POLICY(tessera_verifier_builder_set_max_token_len(b, 50), NULL, "{\"exp\":1800000300}", NOW,
         TESSERA_RESULT_TOO_LARGE);
  POLICY(tessera_verifier_builder_set_max_header_len(b, 10), NULL, "{\"exp\":1800000300}", NOW,
         TESSERA_RESULT_TOO_LARGE);
  /* The number of claims: at the limit accepted, one past refused; zero refused when built. */
  POLICY(tessera_verifier_builder_set_max_claims(b, 3), NULL,
         "{\"exp\":1800000300,\"a\":1,\"b\":2}", NOW, TESSERA_RESULT_OK);
  POLICY(tessera_verifier_builder_set_max_claims(b, 2), NULL,
         "{\"exp\":1800000300,\"a\":1,\"b\":2}", NOW, TESSERA_RESULT_TOO_LARGE);
  POLICY(tessera_verifier_builder_set_max_claims(b, 0), NULL, "{\"exp\":1800000300}", NOW,
         20000 + TESSERA_RESULT_INVALID_ARGUMENT);
#undef POLICY
  tessera_key_free(key);
}

/* ---- verification ------------------------------------------------------------------------- */

struct fixture {
  tessera_key *key;
  tessera_verifier *verifier;
  struct token valid, expired, tampered, other_key;
};

static int fixture_init(struct fixture *f, const char *alg) {
  tessera_key *other = gen(alg);
  int ok;
  memset(f, 0, sizeof *f);
  f->key = gen_kid(alg, "fx");
  f->verifier = f->key ? verifier_for(f->key, "https://auth.example", "api") : NULL;
  ok = f->verifier && other &&
       sign_to(f->key, NULL,
               "{\"iss\":\"https://auth.example\",\"aud\":\"api\",\"sub\":\"user-42\","
               "\"jti\":\"j-1\",\"iat\":1799999990,\"nbf\":1799999990,\"exp\":1800000300,"
               "\"scope\":\"job:read\",\"n\":42,\"t\":true,\"u\":\"\xc3\xa9\"}",
               &f->valid) == TESSERA_RESULT_OK &&
       sign_to(f->key, NULL, "{\"iss\":\"https://auth.example\",\"aud\":\"api\",\"exp\":1}",
               &f->expired) == TESSERA_RESULT_OK &&
       sign_to(other, NULL, "{\"iss\":\"https://auth.example\",\"aud\":\"api\",\"exp\":1800000300}",
               &f->other_key) == TESSERA_RESULT_OK;
  tessera_key_free(other);
  if (!ok) return 0;
  f->tampered = f->valid;
  {
    /* Flip a character of the claims part: the signature no longer matches. */
    char *dot = strchr(f->tampered.s, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
  }
  return 1;
}

static void fixture_free(struct fixture *f) {
  tessera_verifier_free(f->verifier);
  tessera_key_free(f->key);
}

static void test_verify(void) {
  struct fixture f;
  uint8_t buf[1024];
  size_t len = 0;
  char *claims;
  if (!fixture_init(&f, "ES256")) {
    CHECK(0 && "fixture");
    return;
  }
  {
    struct verify_call call = {f.verifier, &f.valid, NOW, 0};
    claims = check_out("tessera_verify", call_verify, &call, 1, &len);
    CHECK(claims && strstr(claims, "\"sub\":\"user-42\""));
    free(claims);
    /* A too-small buffer is only reported for a valid token. */
    call.token = &f.expired;
    check_out_rc("tessera_verify expired", call_verify, &call, 1, TESSERA_RESULT_EXPIRED, &len);
    call.token = &f.tampered;
    check_out_rc("tessera_verify tampered", call_verify, &call, 1,
                 TESSERA_RESULT_INVALID_SIGNATURE, &len);
  }
  CHECK_OK(tessera_verify_result(f.verifier, STR(f.valid.s), NOW));
  CHECK_RC(tessera_verify_result(f.verifier, STR(f.expired.s), NOW), TESSERA_RESULT_EXPIRED);
  CHECK_RC(tessera_verify_result(f.verifier, STR(f.tampered.s), NOW),
           TESSERA_RESULT_INVALID_SIGNATURE);
  CHECK_RC(tessera_verify_result(f.verifier, STR(f.other_key.s), NOW),
           TESSERA_RESULT_INVALID_SIGNATURE);
  CHECK_RC(tessera_verify_result(f.verifier, STR(f.valid.s), 1900000000), TESSERA_RESULT_EXPIRED);
  CHECK_RC(tessera_verify_result(f.verifier, STR("a.b"), NOW), TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify_result(f.verifier, STR("a.b.c.d"), NOW), TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify_result(f.verifier, STR("e30=.e30.AA"), NOW),
           TESSERA_RESULT_INVALID_BASE64);
  CHECK_RC(tessera_verify_result(f.verifier, NULL, 0, NOW), TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify_result(f.verifier, NULL, 5, NOW), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_result(NULL, STR(f.valid.s), NOW), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_result((const tessera_verifier *)(void *)f.key, STR(f.valid.s), NOW),
           TESSERA_RESULT_WRONG_HANDLE);
  /* A token signed with an alg header other than the key's. */
  {
    tessera_key *hs = gen("HS256");
    struct token t;
    CHECK_OK(sign_to(hs, NULL, "{\"exp\":1800000300}", &t));
    CHECK_RC(tessera_verify_result(f.verifier, STR(t.s), NOW), TESSERA_RESULT_ALGORITHM_MISMATCH);
    tessera_key_free(hs);
  }

  len = 11;
  CHECK_RC(tessera_verify(f.verifier, NULL, 0, NOW, buf, sizeof buf, &len),
           TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify(f.verifier, NULL, 3, NOW, buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify(NULL, STR(f.valid.s), NOW, buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify((const tessera_verifier *)(void *)f.key, STR(f.valid.s), NOW, buf,
                          sizeof buf, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 11);

  /* tessera_verify_explain: the same codes, and the reason as text (cut to the buffer). */
  {
    uint8_t why[256];
    size_t wl = 99;
    CHECK_OK(tessera_verify_explain(f.verifier, STR(f.valid.s), NOW, why, sizeof why, &wl));
    CHECK(wl == 0);
    CHECK_RC(tessera_verify_explain(f.verifier, STR(f.expired.s), NOW, why, sizeof why, &wl),
             TESSERA_RESULT_EXPIRED);
    CHECK_STR(why, wl, "the token has expired");
    CHECK_RC(tessera_verify_explain(f.verifier, STR(f.tampered.s), NOW, why, sizeof why, &wl),
             TESSERA_RESULT_INVALID_SIGNATURE);
    CHECK(wl > 0 && wl <= sizeof why);
    /* A 3-byte buffer gets "the", and the full length. */
    memset(why, 0, sizeof why);
    CHECK_RC(tessera_verify_explain(f.verifier, STR(f.expired.s), NOW, why, 3, &wl),
             TESSERA_RESULT_EXPIRED);
    CHECK(wl == strlen("the token has expired") && memcmp(why, "the", 3) == 0 && why[3] == 0);
    /* NULL buffer with cap 0, NULL length: only the code. */
    CHECK_RC(tessera_verify_explain(f.verifier, STR(f.expired.s), NOW, NULL, 0, NULL),
             TESSERA_RESULT_EXPIRED);
    CHECK_RC(tessera_verify_explain(f.verifier, STR(f.valid.s), NOW, NULL, 8, &wl),
             TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_verify_explain(NULL, STR(f.valid.s), NOW, why, sizeof why, &wl),
             TESSERA_RESULT_NULL_POINTER);
    CHECK(wl > 0);
  }
  fixture_free(&f);
}

/* ES512 (P-521, RFC 7518 §3.4) and ES256K (secp256k1, RFC 8812 §3.2): with aws-lc, keys made
 * through the C API sign tokens that verify, through the private key, its public JWK and its PEM
 * forms; with ring, their names are TESSERA_RESULT_UNSUPPORTED_ALGORITHM wherever they appear
 * and their keys TESSERA_RESULT_UNSUPPORTED_KEY. */
static void test_es512_es256k(void) {
  static const struct {
    const char *alg, *crv, *header_b64, *other;
    size_t sig_b64; /* base64url length of the R || S signature */
  } CASES[] = {
      {"ES512", "P-521", "eyJhbGciOiJFUzUxMiJ9", "ES256K", 176},  /* 2 x 66 bytes */
      {"ES256K", "secp256k1", "eyJhbGciOiJFUzI1NksifQ", "ES512", 86}, /* 2 x 32 bytes */
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    const char *alg = CASES[i].alg;
    char jwk[160], token[256];
    snprintf(jwk, sizeof jwk, "{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"AA\",\"y\":\"AA\"}",
             CASES[i].crv);
    /* A token whose header names the algorithm (with a made-up signature). */
    snprintf(token, sizeof token, "%s.eyJleHAiOjE4MDAwMDAzMDB9.AAAA", CASES[i].header_b64);
    if (!on_aws_lc()) {
      tessera_key *out = (tessera_key *)SENTINEL, *es256 = gen("ES256");
      tessera_verifier *v = es256 ? verifier_for(es256, NULL, NULL) : NULL;
      CHECK_RC(tessera_key_generate(alg, &out), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
      CHECK_RC(tessera_key_from_pem(STR(P521_SEC1_PEM), alg, &out),
               TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
      CHECK_RC(tessera_key_from_pem(STR(P521_SEC1_PEM), NULL, &out),
               TESSERA_RESULT_UNSUPPORTED_KEY);
      CHECK_RC(tessera_key_from_jwk(STR(jwk), NULL, &out), TESSERA_RESULT_UNSUPPORTED_KEY);
      CHECK(out == (tessera_key *)SENTINEL);
      CHECK(v != NULL);
      if (v) CHECK_RC(tessera_verify_result(v, STR(token), NOW), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
      tessera_verifier_free(v);
      tessera_key_free(es256);
      continue;
    }
    {
      struct fixture f;
      tessera_key *pub = NULL, *back = NULL, *other = gen(CASES[i].other);
      tessera_verifier *vp = NULL, *vo = NULL;
      char text[1024];
      uint8_t buf[1024];
      size_t len = 0;
      const char *sig;
      if (!fixture_init(&f, alg)) {
        CHECK(0 && "fixture");
        tessera_key_free(other);
        continue;
      }
      /* Sign and verify, and the usual refusals. */
      sig = strrchr(f.valid.s, '.');
      CHECK(sig && strlen(sig + 1) == CASES[i].sig_b64);
      {
        tessera_verified *ok = NULL;
        CHECK_OK(tessera_verify_full(f.verifier, STR(f.valid.s), NOW, &ok));
        CHECK_OK(tessera_verified_header(ok, buf, sizeof buf, &len));
        snprintf(text, sizeof text, "\"alg\":\"%s\"", alg);
        CHECK(has(buf, len, text));
        tessera_verified_free(ok);
      }
      CHECK_RC(tessera_verify_result(f.verifier, STR(f.expired.s), NOW), TESSERA_RESULT_EXPIRED);
      CHECK_RC(tessera_verify_result(f.verifier, STR(f.tampered.s), NOW),
               TESSERA_RESULT_INVALID_SIGNATURE);
      CHECK_RC(tessera_verify_result(f.verifier, STR(f.other_key.s), NOW),
               TESSERA_RESULT_INVALID_SIGNATURE);
      CHECK_RC(tessera_verify_result(f.verifier, STR(token), NOW), TESSERA_RESULT_INVALID_SIGNATURE);
      /* The public JWK names the curve and verifies on its own (its alg binds it). */
      REQUIRE_OK(tessera_key_public_jwk(f.key, (uint8_t *)text, sizeof text - 1, &len));
      text[len] = '\0';
      snprintf(jwk, sizeof jwk, "\"crv\":\"%s\"", CASES[i].crv);
      CHECK(strstr(text, jwk) != NULL && strstr(text, "\"d\"") == NULL);
      CHECK_OK(tessera_key_from_jwk(STR(text), NULL, &pub));
      vp = pub ? verifier_for(pub, "https://auth.example", "api") : NULL;
      CHECK(vp != NULL);
      if (vp) CHECK_OK(tessera_verify_result(vp, STR(f.valid.s), NOW));
      /* The private PEM loads back with the curve's algorithm by default. */
      REQUIRE_OK(tessera_key_private_pem(f.key, (uint8_t *)text, sizeof text, &len));
      CHECK_OK(tessera_key_from_pem((const uint8_t *)text, len, NULL, &back));
      CHECK_OK(tessera_key_alg(back, buf, sizeof buf, &len));
      CHECK_STR(buf, len, alg);
      /* A key of the other new algorithm refuses the token: the key decides the algorithm. */
      vo = other ? verifier_for(other, "https://auth.example", "api") : NULL;
      CHECK(vo != NULL);
      if (vo)
        CHECK_RC(tessera_verify_result(vo, STR(f.valid.s), NOW), TESSERA_RESULT_ALGORITHM_MISMATCH);
      /* OpenSSL's P-521 key is an ES512 key. */
      if (strcmp(alg, "ES512") == 0) {
        tessera_key *openssl = NULL;
        CHECK_OK(tessera_key_from_pem(STR(P521_SEC1_PEM), NULL, &openssl));
        CHECK_OK(tessera_key_alg(openssl, buf, sizeof buf, &len));
        CHECK_STR(buf, len, "ES512");
        tessera_key_free(openssl);
      }
      tessera_verifier_free(vp);
      tessera_verifier_free(vo);
      tessera_key_free(pub);
      tessera_key_free(back);
      tessera_key_free(other);
      fixture_free(&f);
    }
  }
}

static void test_verify_jws(void) {
  tessera_key *pub = NULL, *hs = NULL;
  tessera_verifier *v = NULL, *vh = NULL;
  tessera_verifier_builder *b = builder();
  struct token t;
  size_t len = 0;
  uint8_t buf[128];
  char *payload;
  REQUIRE_OK(tessera_key_from_jwk(STR(RFC8037_PUBLIC_JWK), NULL, &pub));
  REQUIRE_OK(tessera_verifier_new_with_key(b, pub, &v));
  memcpy(t.s, RFC8037_TOKEN, sizeof RFC8037_TOKEN);
  t.len = strlen(RFC8037_TOKEN);
  {
    struct verify_call call = {v, &t, 0, 1};
    payload = check_out("tessera_verify_jws", call_verify, &call, 1, &len);
    CHECK(payload && strcmp(payload, RFC8037_PAYLOAD) == 0);
    free(payload);
    /* Not a claims set, so JWT verification refuses it. */
    CHECK_RC(tessera_verify_result(v, STR(RFC8037_TOKEN), NOW), TESSERA_RESULT_INVALID_JSON);
    t.s[t.len - 2] = t.s[t.len - 2] == 'A' ? 'B' : 'A';
    check_out_rc("tessera_verify_jws tampered", call_verify, &call, 1,
                 TESSERA_RESULT_INVALID_SIGNATURE, &len);
  }
  /* The RFC 7515 A.1 HMAC token: its signature is valid; as a JWT it expired in 2011. */
  REQUIRE_OK(tessera_key_from_jwk(STR(RFC7515_A1_JWK), "HS256", &hs));
  REQUIRE_OK(tessera_verifier_new_with_key(b, hs, &vh));
  len = 0;
  CHECK_OK(tessera_verify_jws(vh, STR(RFC7515_A1_TOKEN), buf, sizeof buf, &len));
  CHECK_STR(buf, len, RFC7515_A1_PAYLOAD);
  CHECK_OK(tessera_verify(vh, STR(RFC7515_A1_TOKEN), RFC7515_A1_EXP - 10, buf, sizeof buf, &len));
  CHECK_STR(buf, len, RFC7515_A1_PAYLOAD);
  CHECK_RC(tessera_verify_result(vh, STR(RFC7515_A1_TOKEN), NOW), TESSERA_RESULT_EXPIRED);

  len = 4;
  CHECK_RC(tessera_verify_jws(v, NULL, 0, buf, sizeof buf, &len), TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify_jws(v, NULL, 9, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_jws(NULL, STR(RFC8037_TOKEN), buf, sizeof buf, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_jws((const tessera_verifier *)(void *)b, STR(RFC8037_TOKEN), buf,
                              sizeof buf, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 4);
  tessera_verifier_free(v);
  tessera_verifier_free(vh);
  tessera_verifier_builder_free(b);
  tessera_key_free(pub);
  tessera_key_free(hs);
}

static const struct {
  const char *name;
  verified_text_fn fn;
  const char *expected;
} VERIFIED_TEXT_FNS[] = {
    {"tessera_verified_claims", tessera_verified_claims, NULL},
    {"tessera_verified_header", tessera_verified_header, NULL},
    {"tessera_verified_iss", tessera_verified_iss, "https://auth.example"},
    {"tessera_verified_sub", tessera_verified_sub, "user-42"},
    {"tessera_verified_jti", tessera_verified_jti, "j-1"},
    {"tessera_verified_aud", tessera_verified_aud, "[\"api\"]"},
};
#define N_VERIFIED_TEXT (sizeof VERIFIED_TEXT_FNS / sizeof VERIFIED_TEXT_FNS[0])

static void test_verified_accessors(void) {
  struct fixture f;
  tessera_verified *ok = NULL, *out = (tessera_verified *)SENTINEL, *minimal = NULL;
  tessera_verified *wrong;
  size_t len = 0;
  int64_t t = 0;
  uint8_t buf[64];
  if (!fixture_init(&f, "Ed25519")) {
    CHECK(0 && "fixture");
    return;
  }
  wrong = (tessera_verified *)(void *)f.verifier;
  REQUIRE_OK(tessera_verify_full(f.verifier, STR(f.valid.s), NOW, &ok));
  for (size_t i = 0; i < N_VERIFIED_TEXT; i++) {
    struct verified_text call = {VERIFIED_TEXT_FNS[i].fn, ok};
    char *text = check_out(VERIFIED_TEXT_FNS[i].name, call_verified_text, &call, 1, &len);
    if (VERIFIED_TEXT_FNS[i].expected)
      CHECK(text && strcmp(text, VERIFIED_TEXT_FNS[i].expected) == 0);
    free(text);
    len = 8;
    CHECK_RC(VERIFIED_TEXT_FNS[i].fn(NULL, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(VERIFIED_TEXT_FNS[i].fn(wrong, buf, sizeof buf, &len), TESSERA_RESULT_WRONG_HANDLE);
    CHECK(len == 8);
  }
  {
    char *header;
    struct verified_text call = {tessera_verified_header, ok};
    header = check_out("header", call_verified_text, &call, 1, &len);
    CHECK(header && strstr(header, "\"alg\":\"Ed25519\"") && strstr(header, "\"kid\":\"fx\""));
    free(header);
  }

  /* Single claims as JSON values. */
  {
    static const struct {
      const char *name, *json;
    } claims[] = {{"n", "42"},
                  {"t", "true"},
                  {"scope", "\"job:read\""},
                  {"u", "\"\xc3\xa9\""},
                  {"aud", "\"api\""},
                  {"exp", "1800000300"}};
    for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
      struct claim_call call = {ok, claims[i].name};
      char *value = check_out(claims[i].name, call_claim, &call, 1, &len);
      CHECK(value && strcmp(value, claims[i].json) == 0);
      free(value);
    }
    {
      struct claim_call call = {ok, "absent"};
      check_out_rc("absent claim", call_claim, &call, 1, TESSERA_RESULT_MISSING_CLAIM, &len);
    }
    len = 6;
    CHECK_RC(tessera_verified_claim(ok, NULL, buf, sizeof buf, &len), TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_verified_claim(ok, "\xff", buf, sizeof buf, &len),
             TESSERA_RESULT_INVALID_UTF8);
    CHECK_RC(tessera_verified_claim(NULL, "n", buf, sizeof buf, &len),
             TESSERA_RESULT_NULL_POINTER);
    CHECK_RC(tessera_verified_claim(wrong, "n", buf, sizeof buf, &len),
             TESSERA_RESULT_WRONG_HANDLE);
    CHECK(len == 6);
  }

  /* Times. */
  CHECK_OK(tessera_verified_exp(ok, &t));
  CHECK(t == 1800000300);
  CHECK_OK(tessera_verified_nbf(ok, &t));
  CHECK(t == 1799999990);
  CHECK_OK(tessera_verified_iat(ok, &t));
  CHECK(t == 1799999990);
  {
    tessera_result (*const fns[3])(const tessera_verified *, int64_t *) = {
        tessera_verified_exp, tessera_verified_nbf, tessera_verified_iat};
    for (size_t i = 0; i < 3; i++) {
      t = 5;
      CHECK_RC(fns[i](NULL, &t), TESSERA_RESULT_NULL_POINTER);
      CHECK_RC(fns[i](ok, NULL), TESSERA_RESULT_NULL_POINTER);
      CHECK_RC(fns[i](wrong, &t), TESSERA_RESULT_WRONG_HANDLE);
      CHECK(t == 5);
    }
  }

  /* A token with only exp: the optional claims are absent (aud is an empty array). */
  {
    tessera_verifier_builder *b = builder();
    tessera_verifier *v = NULL;
    struct token tok;
    REQUIRE_OK(tessera_verifier_new_with_key(b, f.key, &v));
    CHECK_OK(sign_to(f.key, NULL, "{\"exp\":1800000300}", &tok));
    CHECK_OK(tessera_verify_full(v, STR(tok.s), NOW, &minimal));
    t = 5;
    CHECK_RC(tessera_verified_nbf(minimal, &t), TESSERA_RESULT_MISSING_CLAIM);
    CHECK_RC(tessera_verified_iat(minimal, &t), TESSERA_RESULT_MISSING_CLAIM);
    CHECK(t == 5);
    len = 3;
    CHECK_RC(tessera_verified_iss(minimal, buf, sizeof buf, &len), TESSERA_RESULT_MISSING_CLAIM);
    CHECK_RC(tessera_verified_sub(minimal, buf, sizeof buf, &len), TESSERA_RESULT_MISSING_CLAIM);
    CHECK_RC(tessera_verified_jti(minimal, buf, sizeof buf, &len), TESSERA_RESULT_MISSING_CLAIM);
    CHECK(len == 3);
    CHECK_OK(tessera_verified_aud(minimal, buf, sizeof buf, &len));
    CHECK_STR(buf, len, "[]");
    tessera_verifier_free(v);
    tessera_verifier_builder_free(b);
  }

  /* tessera_verify_full: errors leave *out alone. */
  CHECK_RC(tessera_verify_full(f.verifier, STR(f.expired.s), NOW, &out), TESSERA_RESULT_EXPIRED);
  CHECK_RC(tessera_verify_full(f.verifier, STR(f.tampered.s), NOW, &out),
           TESSERA_RESULT_INVALID_SIGNATURE);
  CHECK_RC(tessera_verify_full(f.verifier, NULL, 0, NOW, &out), TESSERA_RESULT_MALFORMED_TOKEN);
  CHECK_RC(tessera_verify_full(f.verifier, NULL, 1, NOW, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_full(NULL, STR(f.valid.s), NOW, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_full((const tessera_verifier *)(void *)ok, STR(f.valid.s), NOW, &out),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_verify_full(f.verifier, STR(f.valid.s), NOW, NULL),
           TESSERA_RESULT_NULL_POINTER);
  CHECK(out == (tessera_verified *)SENTINEL);

  tessera_verified_free((tessera_verified *)(void *)f.key); /* another kind: ignored */
  tessera_verified_free(NULL);
  tessera_verified_free(ok);
  tessera_verified_free(minimal);
  fixture_free(&f);
}

/* ---- batch -------------------------------------------------------------------------------- */

static void test_verify_batch(void) {
  struct fixture f;
  enum { N = 200 };
  static const uint8_t *tokens[N];
  static size_t lens[N];
  static uint32_t results[N], expected[N];
  static const size_t thread_counts[] = {0, 1, 2, 4, 64};
  if (!fixture_init(&f, "HS256")) {
    CHECK(0 && "fixture");
    return;
  }
  /* Mixed: valid, expired, tampered, other key, garbage, empty, NULL with a length. */
  for (size_t i = 0; i < N; i++) {
    switch (i % 7) {
      case 0: tokens[i] = (const uint8_t *)f.valid.s; lens[i] = f.valid.len;
              expected[i] = TESSERA_RESULT_OK; break;
      case 1: tokens[i] = (const uint8_t *)f.expired.s; lens[i] = f.expired.len;
              expected[i] = TESSERA_RESULT_EXPIRED; break;
      case 2: tokens[i] = (const uint8_t *)f.tampered.s; lens[i] = f.tampered.len;
              expected[i] = TESSERA_RESULT_INVALID_SIGNATURE; break;
      case 3: tokens[i] = (const uint8_t *)f.other_key.s; lens[i] = f.other_key.len;
              expected[i] = TESSERA_RESULT_INVALID_SIGNATURE; break;
      case 4: tokens[i] = (const uint8_t *)"x.y"; lens[i] = 3;
              expected[i] = TESSERA_RESULT_MALFORMED_TOKEN; break;
      case 5: tokens[i] = NULL; lens[i] = 0;
              expected[i] = TESSERA_RESULT_MALFORMED_TOKEN; break;
      default: tokens[i] = NULL; lens[i] = 12;
              expected[i] = TESSERA_RESULT_NULL_POINTER; break;
    }
  }
  for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
    size_t counts[] = {N, 7, 1};
    for (size_t c = 0; c < 3; c++) {
      size_t wrong = 0;
      memset(results, 0xEE, sizeof results);
      CHECK_OK(tessera_verify_batch(f.verifier, tokens, lens, counts[c], NOW, thread_counts[t],
                                    results));
      for (size_t i = 0; i < counts[c]; i++) wrong += results[i] != expected[i];
      for (size_t i = counts[c]; i < N; i++) wrong += results[i] != 0xEEEEEEEEu;
      if (wrong)
        fprintf(stderr, "  batch of %lu on %lu threads: %lu wrong slots\n",
                (unsigned long)counts[c], (unsigned long)thread_counts[t], (unsigned long)wrong);
      CHECK(wrong == 0);
    }
  }
  /* Arguments. */
  memset(results, 0xEE, sizeof results);
  CHECK_OK(tessera_verify_batch(f.verifier, NULL, NULL, 0, NOW, 0, NULL));
  CHECK_RC(tessera_verify_batch(NULL, tokens, lens, N, NOW, 0, results),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_batch(f.verifier, NULL, lens, N, NOW, 0, results),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_batch(f.verifier, tokens, NULL, N, NOW, 0, results),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_batch(f.verifier, tokens, lens, N, NOW, 0, NULL),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_verify_batch((const tessera_verifier *)(void *)f.key, tokens, lens, N, NOW, 0,
                                results),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(results[0] == 0xEEEEEEEEu && results[N - 1] == 0xEEEEEEEEu);
  fixture_free(&f);
}

/* ---- threads ------------------------------------------------------------------------------ */

enum { THREADS = 8, ROUNDS = 40 };

struct shared {
  const tessera_verifier *verifier;
  const tessera_key *key;
  const struct fixture *f;
  int failures;
};

static void *worker(void *arg) {
  struct shared *s = (struct shared *)arg;
  for (int i = 0; i < ROUNDS; i++) {
    struct token t;
    tessera_verified *v = NULL;
    uint8_t sub[32];
    size_t len = 0;
    /* Sign with the shared key, verify with the shared verifier, read claims. */
    if (sign_to(s->key, NULL,
                "{\"iss\":\"https://auth.example\",\"aud\":\"api\",\"sub\":\"thread\","
                "\"exp\":1800000300}",
                &t) != TESSERA_RESULT_OK ||
        tessera_verify_result(s->verifier, STR(t.s), NOW) != TESSERA_RESULT_OK ||
        tessera_verify_result(s->verifier, STR(s->f->tampered.s), NOW) !=
            TESSERA_RESULT_INVALID_SIGNATURE ||
        tessera_verify_result(s->verifier, STR(s->f->expired.s), NOW) != TESSERA_RESULT_EXPIRED ||
        tessera_verify_full(s->verifier, STR(s->f->valid.s), NOW, &v) != TESSERA_RESULT_OK ||
        tessera_verified_sub(v, sub, sizeof sub, &len) != TESSERA_RESULT_OK ||
        len != 7 || memcmp(sub, "user-42", 7) != 0)
      s->failures++;
    tessera_verified_free(v);
  }
  return NULL;
}

static void test_threads(void) {
  struct fixture f;
  pthread_t threads[THREADS];
  struct shared shared[THREADS];
  int failures = 0;
  if (!fixture_init(&f, "HS256")) {
    CHECK(0 && "fixture");
    return;
  }
  for (int i = 0; i < THREADS; i++) {
    shared[i].verifier = f.verifier;
    shared[i].key = f.key;
    shared[i].f = &f;
    shared[i].failures = 0;
    CHECK(pthread_create(&threads[i], NULL, worker, &shared[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    failures += shared[i].failures;
  }
  CHECK(failures == 0);
  fixture_free(&f);
}

/* ---- _free(NULL) -------------------------------------------------------------------------- */

static void test_free_null(void) {
  tessera_key_free(NULL);
  tessera_keyset_free(NULL);
  tessera_verifier_builder_free(NULL);
  tessera_verifier_free(NULL);
  tessera_verified_free(NULL);
  CHECK(1);
}

/* Issue 14 §2: the detail text of every hostile token (tests/data/hostile/tokens.txt, every
 * member carrying QXMARKQX) is the verdict of the Rust verifier, fits TESSERA_MAX_DETAIL_LEN,
 * and copies nothing of the token. */
static void hostile_one(unsigned long code, const char *token, size_t len, void *ctx) {
  const tessera_verifier *v = (const tessera_verifier *)ctx;
  uint8_t why[TESSERA_MAX_DETAIL_LEN];
  size_t n = SIZE_MAX;
  tessera_result rc = tessera_verify_explain(v, (const uint8_t *)token, len, NOW, why, sizeof why,
                                             &n);
  CHECK((unsigned long)rc == code);
  CHECK(n > 0 && n <= TESSERA_MAX_DETAIL_LEN);
  CHECK(!hostile_copies_marker(why, n <= sizeof why ? n : sizeof why));
  CHECK(tessera_verify_result(v, (const uint8_t *)token, len, NOW) == rc);
}

static void test_hostile_details(void) {
  tessera_verifier_builder *b = builder();
  tessera_keyset *set = NULL;
  tessera_verifier *v = NULL;
  CHECK_OK(tessera_keyset_from_jwks(STR(HOSTILE_JWKS), NULL, &set));
  CHECK_OK(tessera_verifier_builder_add_issuer(b, "https://as.example"));
  CHECK_OK(tessera_verifier_builder_add_audience(b, "api"));
  CHECK_OK(tessera_verifier_builder_set_subject(b, "user-1"));
  CHECK_OK(tessera_verifier_builder_set_typ(b, "at+jwt"));
  CHECK_OK(tessera_verifier_builder_require_claim(b, "scope"));
  CHECK_OK(tessera_verifier_builder_set_max_age(b, 3600));
  CHECK_OK(tessera_verifier_new_with_keyset(b, set, &v));
  if (v != NULL) CHECK(hostile_each(hostile_one, v) >= 70);
  tessera_verifier_free(v);
  tessera_keyset_free(set);
  tessera_verifier_builder_free(b);
}

static const struct harness_test TESTS[] = {
    HARNESS_TEST(version),
    HARNESS_TEST(backend),
    HARNESS_TEST(result_strings),
    HARNESS_TEST(key_generate),
    HARNESS_TEST(key_from_pem),
    HARNESS_TEST(key_from_der),
    HARNESS_TEST(key_from_jwk),
    HARNESS_TEST(key_hmac),
    HARNESS_TEST(key_with_kid_public_free),
    HARNESS_TEST(key_outputs),
    HARNESS_TEST(jwks),
    HARNESS_TEST(keyset),
    HARNESS_TEST(sign),
    HARNESS_TEST(sign_jws),
    HARNESS_TEST(builder),
    HARNESS_TEST(verifier_outlives_inputs),
    HARNESS_TEST(policy),
    HARNESS_TEST(verify),
    HARNESS_TEST(es512_es256k),
    HARNESS_TEST(verify_jws),
    HARNESS_TEST(verified_accessors),
    HARNESS_TEST(verify_batch),
    HARNESS_TEST(threads),
    HARNESS_TEST(hostile_details),
    HARNESS_TEST(free_null),
};

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
