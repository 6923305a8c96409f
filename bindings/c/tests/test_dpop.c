/* Tests of the DPoP side of include/tessera.h (RFC 9449) and certificate binding (RFC 8705):
 * proofs made and validated, the RFC 9449 §4.1 example, a tampered proof, the nonce flow,
 * replay, check_binding (Bearer vs DPoP, certificates), too-small buffers, NULLs, handles of
 * the wrong kind, outputs only on success, and every handle freed (ASan and valgrind check).
 *
 * Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
 *   gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/c/tests -o test_dpop \
 *       bindings/c/tests/test_dpop.c target/debug/libtessera.a \
 *       -lgcc_s -lutil -lrt -lpthread -lm -ldl
 * Run: ./test_dpop [test names...] */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"
#include "harness.h"
#include "json_path.h"

#define NOW INT64_C(1800000000)
#define STR(s) (const uint8_t *)(s), strlen(s)
#define TOKEN_URL "https://server.example.com/token"
#define API_URL "https://api.example/v1/me"

/* RFC 9449 §4.1 Figure 3 (tests/data/rfc9449/examples.json), valid at its iat. */
static const char RFC_PROOF[] =
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0"
    "VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10"
    "NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoi"
    "UE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-"
    "GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
static const int64_t RFC_IAT = INT64_C(1562262616);
static const char RFC_JKT[] = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
/* RFC 9449 §7.1. */
static const char RFC_TOKEN[] = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
static const char RFC_ATH[] = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";

/* A pointer no tessera function may write (outputs only on success). */
static char sentinel_object;
#define SENTINEL ((void *)&sentinel_object)

/* ---- outputs ------------------------------------------------------------------------------ */

/* A library output, malloc'd and NUL-terminated (the library's are not). */
struct text {
  char *s;
  size_t len;
};

static void text_free(struct text *t) {
  free(t->s);
  t->s = NULL;
  t->len = 0;
}

/* The two-call buffer convention: (NULL, 0) for the size, then an exact buffer. Returns the
 * result of the second call (or of the first, when it was not BUFFER_TOO_SMALL). For the
 * functions that make a new value each call (proofs) only the length is stable. */
typedef tessera_result (*out_fn)(void *ctx, uint8_t *out, size_t cap, size_t *out_len);

static tessera_result read_out(struct text *t, out_fn f, void *ctx) {
  size_t need = (size_t)-1, got = 0;
  t->s = NULL;
  t->len = 0;
  tessera_result rc = f(ctx, NULL, 0, &need);
  if (rc == TESSERA_RESULT_OK) {
    CHECK(need == 0);
    t->s = (char *)calloc(1, 1);
    return rc;
  }
  if (rc != TESSERA_RESULT_BUFFER_TOO_SMALL) {
    CHECK(need == (size_t)-1); /* untouched on failure */
    return rc;
  }
  uint8_t *buf = (uint8_t *)malloc(need + 1);
  if (!buf) abort();
  rc = f(ctx, buf, need, &got);
  if (rc != TESSERA_RESULT_OK) {
    free(buf);
    return rc;
  }
  CHECK(got == need);
  buf[got] = '\0';
  t->s = (char *)buf;
  t->len = got;
  return rc;
}

/* The JSON string member `path` of `t` equals `want`. */
static int json_str_is(const struct text *t, const char *path, const char *want) {
  size_t n = 0;
  const char *v = t->s ? json_at(t->s, t->len, path, &n) : NULL;
  size_t k = strlen(want);
  return v && n == k + 2 && v[0] == '"' && memcmp(v + 1, want, k) == 0;
}

/* The raw JSON value at `path` equals `want`. */
static int json_raw_is(const struct text *t, const char *path, const char *want) {
  size_t n = 0;
  const char *v = t->s ? json_at(t->s, t->len, path, &n) : NULL;
  return v && n == strlen(want) && memcmp(v, want, n) == 0;
}

/* ---- calls with their contexts ---------------------------------------------------------------- */

struct create_ctx {
  const tessera_key *key;
  const char *htm, *htu, *nonce, *token;
};

static tessera_result create_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  const struct create_ctx *x = (const struct create_ctx *)c;
  return tessera_dpop_proof_create(x->key, x->htm, x->htu, NOW, x->nonce,
                                   (const uint8_t *)x->token, x->token ? strlen(x->token) : 0, o,
                                   cap, l);
}

static tessera_result create_proof(struct text *t, const tessera_key *key, const char *htm,
                                   const char *htu, const char *nonce, const char *token) {
  struct create_ctx x = {key, htm, htu, nonce, token};
  return read_out(t, create_fn, &x);
}

static tessera_result proof_json_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_dpop_proof_json((const tessera_dpop_proof *)c, o, cap, l);
}

static tessera_result proof_jkt_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_dpop_proof_jkt((const tessera_dpop_proof *)c, o, cap, l);
}

struct nonce_ctx {
  const tessera_dpop_validator *v;
  int64_t now;
};

static tessera_result validator_nonce_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  const struct nonce_ctx *x = (const struct nonce_ctx *)c;
  return tessera_dpop_validator_nonce(x->v, x->now, o, cap, l);
}

static tessera_result validator_algs_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_dpop_validator_algorithms((const tessera_dpop_validator *)c, o, cap, l);
}

static tessera_result issuer_nonce_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_dpop_nonce_issuer_nonce((const tessera_dpop_nonce_issuer *)c, NOW, o, cap, l);
}

static tessera_result key_thumbprint_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_key_thumbprint((const tessera_key *)c, o, cap, l);
}

static tessera_result ath_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  return tessera_dpop_ath(STR((const char *)c), o, cap, l);
}

struct bytes_ctx {
  const uint8_t *p;
  size_t n;
};

static tessera_result thumbprint_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  const struct bytes_ctx *x = (const struct bytes_ctx *)c;
  return tessera_certificate_thumbprint(x->p, x->n, o, cap, l);
}

struct binding_ctx {
  const char *claims;
  const tessera_dpop_proof *proof;
  const uint8_t *cert;
  size_t cert_len;
  bool require_bound;
  const tessera_verified *verified;
};

static tessera_result binding_fn(void *c, uint8_t *o, size_t cap, size_t *l) {
  const struct binding_ctx *x = (const struct binding_ctx *)c;
  if (x->verified)
    return tessera_verified_check_binding(x->verified, x->proof, x->cert, x->cert_len,
                                          x->require_bound, o, cap, l);
  return tessera_dpop_check_binding(STR(x->claims), x->proof, x->cert, x->cert_len,
                                    x->require_bound, o, cap, l);
}

static tessera_key *generate(const char *alg) {
  tessera_key *k = NULL;
  CHECK_OK(tessera_key_generate(alg, &k));
  return k;
}

static tessera_dpop_validator *validator(const char *config, const tessera_dpop_nonce_issuer *n) {
  tessera_dpop_validator *v = NULL;
  CHECK_OK(tessera_dpop_validator_new(config ? (const uint8_t *)config : NULL,
                                      config ? strlen(config) : 0, n, &v));
  return v;
}

static tessera_result validate(const tessera_dpop_validator *v, const char *proof,
                               const char *htm, const char *htu, const char *token, int64_t now,
                               tessera_dpop_proof **out) {
  return tessera_dpop_validate(v, STR(proof), htm, htu, (const uint8_t *)token,
                               token ? strlen(token) : 0, now, out);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_create_and_validate(void) {
  tessera_key *key = generate("ES256");
  tessera_dpop_validator *v = validator(NULL, NULL);
  struct text proof, json, jkt, thumb;
  tessera_dpop_proof *p = NULL;
  REQUIRE_OK(create_proof(&proof, key, "POST", TOKEN_URL "?a=1#f", NULL, NULL));
  CHECK(proof.len > 100);
  CHECK_OK(validate(v, proof.s, "POST", TOKEN_URL, NULL, NOW, &p));
  CHECK_OK(read_out(&json, proof_json_fn, p));
  CHECK(json_str_is(&json, "htm", "POST"));
  CHECK(json_str_is(&json, "htu", TOKEN_URL));
  CHECK(json_str_is(&json, "alg", "ES256"));
  CHECK(json_raw_is(&json, "iat", "1800000000"));
  CHECK(json_raw_is(&json, "replay_until", "1800000060"));
  CHECK(json_raw_is(&json, "nonce", "null"));
  CHECK_OK(read_out(&jkt, proof_jkt_fn, p));
  CHECK_OK(read_out(&thumb, key_thumbprint_fn, key));
  CHECK(jkt.len == 43 && thumb.len == 43 && strcmp(jkt.s, thumb.s) == 0);
  CHECK(json_str_is(&json, "jkt", thumb.s));
  tessera_dpop_proof_free(p);
  /* The wrong method, URI or time: each rule its code, no handle written. */
  p = (tessera_dpop_proof *)SENTINEL;
  CHECK_RC(validate(v, proof.s, "GET", TOKEN_URL, NULL, NOW, &p), TESSERA_RESULT_DPOP_METHOD);
  CHECK_RC(validate(v, proof.s, "POST", API_URL, NULL, NOW, &p), TESSERA_RESULT_DPOP_URI);
  CHECK_RC(validate(v, proof.s, "POST", TOKEN_URL, NULL, NOW + 61, &p), TESSERA_RESULT_DPOP_IAT);
  CHECK_RC(validate(v, proof.s, "POST", TOKEN_URL, "a-token", NOW, &p), TESSERA_RESULT_DPOP_ATH);
  CHECK_RC(validate(v, "a.b.c", "POST", TOKEN_URL, NULL, NOW, &p), TESSERA_RESULT_DPOP_MALFORMED);
  CHECK_RC(validate(v, proof.s, "PO ST", TOKEN_URL, NULL, NOW, &p),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK(p == (tessera_dpop_proof *)SENTINEL);
  text_free(&proof);
  text_free(&json);
  text_free(&jkt);
  text_free(&thumb);

  /* With an access token: ath. */
  REQUIRE_OK(create_proof(&proof, key, "GET", API_URL, NULL, RFC_TOKEN));
  p = NULL;
  CHECK_OK(validate(v, proof.s, "GET", API_URL "?x=y", RFC_TOKEN, NOW, &p));
  tessera_dpop_proof_free(p);
  CHECK_RC(validate(v, proof.s, "GET", API_URL, "other", NOW, &p), TESSERA_RESULT_DPOP_ATH);
  text_free(&proof);
  struct text ath;
  CHECK_OK(read_out(&ath, ath_fn, (void *)RFC_TOKEN));
  CHECK(ath.s && strcmp(ath.s, RFC_ATH) == 0);
  text_free(&ath);

  /* EdDSA too, and a validator limited to it. */
  tessera_key *ed = generate("EdDSA");
  tessera_dpop_validator *only_ed = validator("{\"algorithms\":[\"EdDSA\"],\"iat_window\":5}", NULL);
  struct text algs;
  CHECK_OK(read_out(&algs, validator_algs_fn, only_ed));
  CHECK(algs.s && strcmp(algs.s, "EdDSA") == 0);
  text_free(&algs);
  CHECK_OK(read_out(&algs, validator_algs_fn, v));
  CHECK(algs.s && strstr(algs.s, "ES256") && strstr(algs.s, "EdDSA") && !strstr(algs.s, "HS"));
  text_free(&algs);
  REQUIRE_OK(create_proof(&proof, ed, "POST", TOKEN_URL, NULL, NULL));
  CHECK_OK(validate(only_ed, proof.s, "POST", TOKEN_URL, NULL, NOW + 5, &p));
  tessera_dpop_proof_free(p);
  text_free(&proof);
  REQUIRE_OK(create_proof(&proof, key, "POST", TOKEN_URL, NULL, NULL));
  CHECK_RC(validate(only_ed, proof.s, "POST", TOKEN_URL, NULL, NOW, &p),
           TESSERA_RESULT_DPOP_ALGORITHM);
  text_free(&proof);

  tessera_dpop_validator_free(only_ed);
  tessera_dpop_validator_free(v);
  tessera_key_free(ed);
  tessera_key_free(key);
}

static void test_rfc9449_example(void) {
  tessera_dpop_validator *v = validator("{}", NULL);
  tessera_dpop_proof *p = NULL;
  struct text jkt, json;
  REQUIRE_OK(validate(v, RFC_PROOF, "POST", TOKEN_URL, NULL, RFC_IAT, &p));
  CHECK_OK(read_out(&jkt, proof_jkt_fn, p));
  CHECK_STR(jkt.s, jkt.len, RFC_JKT);
  CHECK_OK(read_out(&json, proof_json_fn, p));
  CHECK(json_str_is(&json, "jti", "-BwC3ESc6acc2lTc"));
  text_free(&jkt);
  text_free(&json);
  tessera_dpop_proof_free(p);

  /* One character of the signature changed: the signature's code. */
  char tampered[sizeof RFC_PROOF];
  memcpy(tampered, RFC_PROOF, sizeof RFC_PROOF);
  char *sig = strrchr(tampered, '.') + 8;
  *sig = *sig == 'A' ? 'B' : 'A';
  p = (tessera_dpop_proof *)SENTINEL;
  CHECK_RC(validate(v, tampered, "POST", TOKEN_URL, NULL, RFC_IAT, &p),
           TESSERA_RESULT_DPOP_SIGNATURE);
  CHECK(p == (tessera_dpop_proof *)SENTINEL);
  /* An hour later the genuine proof is stale. */
  CHECK_RC(validate(v, RFC_PROOF, "POST", TOKEN_URL, NULL, RFC_IAT + 3600, &p),
           TESSERA_RESULT_DPOP_IAT);
  /* Bytes that are not UTF-8. */
  static const uint8_t junk[] = {0xff, '.', 0xfe, '.', 'x'};
  CHECK_RC(tessera_dpop_validate(v, junk, sizeof junk, "POST", TOKEN_URL, NULL, 0, RFC_IAT, &p),
           TESSERA_RESULT_DPOP_MALFORMED);
  tessera_dpop_validator_free(v);
}

static void test_nonce_flow(void) {
  static const uint8_t secret[32] = {7};
  tessera_dpop_nonce_issuer *issuer = NULL;
  CHECK_RC(tessera_dpop_nonce_issuer_new(secret, 31, 300, &issuer), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_dpop_nonce_issuer_new(secret, 32, 0, &issuer), TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK(issuer == NULL);
  REQUIRE_OK(tessera_dpop_nonce_issuer_new(secret, 32, 300, &issuer));
  tessera_dpop_validator *v = validator(NULL, issuer);
  struct text from_issuer, nonce;
  CHECK_OK(read_out(&from_issuer, issuer_nonce_fn, issuer));
  tessera_dpop_nonce_issuer_free(issuer); /* the validator keeps its own copy */
  struct nonce_ctx at_now = {v, NOW};
  CHECK_OK(read_out(&nonce, validator_nonce_fn, &at_now));
  CHECK(nonce.len == 32 && from_issuer.s && strcmp(nonce.s, from_issuer.s) == 0);

  tessera_key *key = generate("ES256");
  struct text first, retry;
  tessera_dpop_proof *p = NULL;
  REQUIRE_OK(create_proof(&first, key, "POST", TOKEN_URL, NULL, NULL));
  CHECK_RC(validate(v, first.s, "POST", TOKEN_URL, NULL, NOW, &p),
           TESSERA_RESULT_DPOP_NONCE_REQUIRED);
  CHECK(p == NULL);
  /* Retry with the validator's nonce (what DPoP-Nonce carried). */
  REQUIRE_OK(create_proof(&retry, key, "POST", TOKEN_URL, nonce.s, NULL));
  CHECK_OK(validate(v, retry.s, "POST", TOKEN_URL, NULL, NOW, &p));
  struct text json;
  CHECK_OK(read_out(&json, proof_json_fn, p));
  CHECK(json_str_is(&json, "nonce", nonce.s));
  text_free(&json);
  tessera_dpop_proof_free(p);
  text_free(&retry);
  REQUIRE_OK(create_proof(&retry, key, "POST", TOKEN_URL, "not-this-servers", NULL));
  CHECK_RC(validate(v, retry.s, "POST", TOKEN_URL, NULL, NOW, &p),
           TESSERA_RESULT_DPOP_NONCE_INVALID);
  text_free(&retry);
  CHECK_RC(create_proof(&retry, key, "POST", TOKEN_URL, "bad nonce", NULL),
           TESSERA_RESULT_INVALID_ARGUMENT);

  /* The issuer alone: accepted this step and the next, stale after. */
  REQUIRE_OK(tessera_dpop_nonce_issuer_new(secret, 32, 300, &issuer));
  CHECK_OK(tessera_dpop_nonce_issuer_check(issuer, STR(nonce.s), NOW + 300));
  CHECK_RC(tessera_dpop_nonce_issuer_check(issuer, STR(nonce.s), NOW + 600),
           TESSERA_RESULT_DPOP_NONCE_INVALID);
  CHECK_RC(tessera_dpop_nonce_issuer_check(issuer, NULL, 1, NOW), TESSERA_RESULT_NULL_POINTER);
  tessera_dpop_nonce_issuer_free(issuer);

  /* No nonce required: empty output. */
  tessera_dpop_validator *plain = validator(NULL, NULL);
  struct nonce_ctx none = {plain, NOW};
  struct text empty;
  CHECK_OK(read_out(&empty, validator_nonce_fn, &none));
  CHECK(empty.len == 0);
  text_free(&empty);
  tessera_dpop_validator_free(plain);

  text_free(&first);
  text_free(&nonce);
  text_free(&from_issuer);
  tessera_key_free(key);
  tessera_dpop_validator_free(v);
}

static void test_replay(void) {
  tessera_replay_cache *cache = NULL;
  CHECK_RC(tessera_replay_cache_new(0, &cache), TESSERA_RESULT_INVALID_ARGUMENT);
  REQUIRE_OK(tessera_replay_cache_new(1000, &cache));
  tessera_key *key = generate("ES256");
  tessera_dpop_validator *v = validator(NULL, NULL);
  struct text proof;
  tessera_dpop_proof *p1 = NULL, *p2 = NULL;
  REQUIRE_OK(create_proof(&proof, key, "POST", TOKEN_URL, NULL, NULL));
  CHECK_OK(validate(v, proof.s, "POST", TOKEN_URL, NULL, NOW, &p1));
  CHECK_OK(validate(v, proof.s, "POST", TOKEN_URL, NULL, NOW + 1, &p2));
  CHECK_OK(tessera_replay_cache_check_proof(cache, p1, NOW));
  CHECK_RC(tessera_replay_cache_check_proof(cache, p2, NOW + 1), TESSERA_RESULT_DPOP_REPLAY);
  CHECK_OK(tessera_replay_cache_check_and_record(cache, STR("client"), STR("jti-1"), NOW + 60,
                                                 NOW));
  CHECK_RC(tessera_replay_cache_check_and_record(cache, STR("client"), STR("jti-1"), NOW + 60,
                                                 NOW + 1),
           TESSERA_RESULT_DPOP_REPLAY);
  CHECK_OK(tessera_replay_cache_check_and_record(cache, STR("other"), STR("jti-1"), NOW + 60,
                                                 NOW));
  static const uint8_t bad[] = {0xff};
  CHECK_RC(tessera_replay_cache_check_and_record(cache, bad, 1, STR("x"), NOW, NOW),
           TESSERA_RESULT_INVALID_UTF8);
  size_t len = 99, capacity = 99;
  uint64_t evicted = 99;
  CHECK_RC(tessera_replay_cache_stats(cache, &len, NULL, &evicted), TESSERA_RESULT_NULL_POINTER);
  CHECK(len == 99 && evicted == 99);
  CHECK_OK(tessera_replay_cache_stats(cache, &len, &capacity, &evicted));
  CHECK(len == 3 && capacity >= 1000 && evicted == 0);
  CHECK_RC(tessera_replay_cache_check_proof((tessera_replay_cache *)p1, p1, NOW),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_replay_cache_check_proof(cache, NULL, NOW), TESSERA_RESULT_NULL_POINTER);
  tessera_dpop_proof_free(p1);
  tessera_dpop_proof_free(p2);
  text_free(&proof);
  tessera_dpop_validator_free(v);
  tessera_key_free(key);
  tessera_replay_cache_free(cache);
}

/* Four threads record the same 200 values in one cache: each is accepted exactly once. */
struct replay_thread {
  tessera_replay_cache *cache;
  int accepted;
};

static void *replay_worker(void *arg) {
  struct replay_thread *t = (struct replay_thread *)arg;
  char value[16];
  for (int i = 0; i < 200; i++) {
    snprintf(value, sizeof value, "%d", i);
    if (tessera_replay_cache_check_and_record(t->cache, STR("s"), STR(value), NOW + 60, NOW) ==
        TESSERA_RESULT_OK)
      t->accepted++;
  }
  return NULL;
}

static void test_replay_threads(void) {
  tessera_replay_cache *cache = NULL;
  REQUIRE_OK(tessera_replay_cache_new(100000, &cache));
  pthread_t threads[4];
  struct replay_thread work[4];
  for (int i = 0; i < 4; i++) {
    work[i].cache = cache;
    work[i].accepted = 0;
    CHECK(pthread_create(&threads[i], NULL, replay_worker, &work[i]) == 0);
  }
  int total = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    total += work[i].accepted;
  }
  CHECK(total == 200);
  tessera_replay_cache_free(cache);
}

static void test_check_binding(void) {
  tessera_key *key = generate("ES256");
  tessera_dpop_validator *v = validator(NULL, NULL);
  struct text proof, jkt, out;
  tessera_dpop_proof *p = NULL;
  REQUIRE_OK(create_proof(&proof, key, "GET", API_URL, NULL, "at-1"));
  REQUIRE_OK(validate(v, proof.s, "GET", API_URL, "at-1", NOW, &p));
  CHECK_OK(read_out(&jkt, proof_jkt_fn, p));
  char bound[160];
  snprintf(bound, sizeof bound, "{\"sub\":\"a\",\"cnf\":{\"jkt\":\"%s\"}}", jkt.s);

  /* DPoP-bound token, presented with DPoP and the right key. */
  struct binding_ctx b = {bound, p, NULL, 0, true, NULL};
  CHECK_OK(read_out(&out, binding_fn, &b));
  CHECK(json_str_is(&out, "jkt", jkt.s));
  text_free(&out);
  /* ... as Bearer. */
  b.proof = NULL;
  CHECK_RC(read_out(&out, binding_fn, &b), TESSERA_RESULT_DPOP_BOUND_TOKEN);
  /* ... with another key. */
  char other[160];
  snprintf(other, sizeof other, "{\"cnf\":{\"jkt\":\"%s\"}}", RFC_JKT);
  struct binding_ctx o = {other, p, NULL, 0, false, NULL};
  CHECK_RC(read_out(&out, binding_fn, &o), TESSERA_RESULT_DPOP_KEY_MISMATCH);
  /* An unbound token: fine as Bearer (null), refused when binding is required or with DPoP. */
  struct binding_ctx u = {"{\"sub\":\"a\"}", NULL, NULL, 0, false, NULL};
  CHECK_OK(read_out(&out, binding_fn, &u));
  CHECK_STR(out.s, out.len, "null");
  text_free(&out);
  u.require_bound = true;
  CHECK_RC(read_out(&out, binding_fn, &u), TESSERA_RESULT_UNBOUND_TOKEN);
  u.require_bound = false;
  u.proof = p;
  CHECK_RC(read_out(&out, binding_fn, &u), TESSERA_RESULT_DPOP_KEY_MISMATCH);
  struct binding_ctx bad = {"{\"cnf\":", NULL, NULL, 0, false, NULL};
  CHECK_RC(read_out(&out, binding_fn, &bad), TESSERA_RESULT_INVALID_JSON);
  struct binding_ctx wrong = {"{}", (const tessera_dpop_proof *)v, NULL, 0, false, NULL};
  CHECK_RC(read_out(&out, binding_fn, &wrong), TESSERA_RESULT_WRONG_HANDLE);

  /* A certificate-bound token (mutual TLS). */
  static const uint8_t cert[] = {0x30, 0x03, 0x02, 0x01, 0x05};
  static const uint8_t other_cert[] = {0x30, 0x03, 0x02, 0x01, 0x06};
  struct bytes_ctx c = {cert, sizeof cert};
  struct text x5t;
  REQUIRE_OK(read_out(&x5t, thumbprint_fn, &c));
  CHECK(x5t.len == 43);
  char mtls[120];
  snprintf(mtls, sizeof mtls, "{\"cnf\":{\"x5t#S256\":\"%s\"}}", x5t.s);
  struct binding_ctx m = {mtls, NULL, cert, sizeof cert, true, NULL};
  CHECK_OK(read_out(&out, binding_fn, &m));
  CHECK(json_str_is(&out, "x5t#S256", x5t.s));
  text_free(&out);
  m.cert = other_cert;
  CHECK_RC(read_out(&out, binding_fn, &m), TESSERA_RESULT_CERTIFICATE_MISMATCH);
  m.cert = NULL;
  m.cert_len = 0;
  CHECK_RC(read_out(&out, binding_fn, &m), TESSERA_RESULT_CERTIFICATE_MISMATCH);
  struct bytes_ctx junk = {(const uint8_t *)"junk", 4};
  CHECK_RC(read_out(&out, thumbprint_fn, &junk), TESSERA_RESULT_INVALID_ARGUMENT);
  text_free(&x5t);

  /* From a verified access token. */
  tessera_key *as = generate("ES256");
  char claims[200];
  snprintf(claims, sizeof claims, "{\"exp\":%lld,\"cnf\":{\"jkt\":\"%s\"}}",
           (long long)(NOW + 60), jkt.s);
  uint8_t token[1024];
  size_t token_len = 0;
  tessera_verifier_builder *builder = NULL;
  tessera_verifier *verifier = NULL;
  tessera_verified *verified = NULL;
  CHECK_OK(tessera_sign(as, NULL, 0, STR(claims), token, sizeof token, &token_len));
  CHECK_OK(tessera_verifier_builder_new(&builder));
  CHECK_OK(tessera_verifier_new_with_key(builder, as, &verifier));
  CHECK_OK(tessera_verify_full(verifier, token, token_len, NOW, &verified));
  struct binding_ctx fv = {NULL, p, NULL, 0, true, verified};
  CHECK_OK(read_out(&out, binding_fn, &fv));
  CHECK(json_str_is(&out, "jkt", jkt.s));
  text_free(&out);
  fv.proof = NULL;
  CHECK_RC(read_out(&out, binding_fn, &fv), TESSERA_RESULT_DPOP_BOUND_TOKEN);
  tessera_verified_free(verified);
  tessera_verifier_free(verifier);
  tessera_verifier_builder_free(builder);
  tessera_key_free(as);

  text_free(&jkt);
  text_free(&proof);
  tessera_dpop_proof_free(p);
  tessera_dpop_validator_free(v);
  tessera_key_free(key);
}

static void test_buffers_and_arguments(void) {
  tessera_key *key = generate("ES256");
  tessera_dpop_validator *v = validator(NULL, NULL);
  uint8_t small[16];
  size_t len = (size_t)-1;
  memset(small, 0xA5, sizeof small);
  /* Too small: the needed size, nothing written; the retry makes another proof that long. */
  CHECK_RC(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, NULL, 0, small,
                                     sizeof small, &len),
           TESSERA_RESULT_BUFFER_TOO_SMALL);
  CHECK(len > sizeof small && len < 4096);
  for (size_t i = 0; i < sizeof small; i++) CHECK(small[i] == 0xA5);
  uint8_t *exact = (uint8_t *)malloc(len);
  size_t got = 0;
  if (!exact) abort();
  CHECK_OK(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, NULL, 0, exact, len, &got));
  CHECK(got == len);
  free(exact);
  /* NULLs. */
  len = 7;
  CHECK_RC(tessera_dpop_proof_create(NULL, "POST", TOKEN_URL, NOW, NULL, NULL, 0, small,
                                     sizeof small, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_proof_create(key, NULL, TOKEN_URL, NOW, NULL, NULL, 0, small, 16, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", NULL, NOW, NULL, NULL, 0, small, 16, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, NULL, 5, small, 16, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, NULL, 0, NULL, 16, &len),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, NULL, 0, small, 16, NULL),
           TESSERA_RESULT_NULL_POINTER);
  CHECK(len == 7);
  /* Handles of the wrong kind. */
  CHECK_RC(tessera_dpop_proof_create((const tessera_key *)v, "POST", TOKEN_URL, NOW, NULL, NULL,
                                     0, small, 16, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  tessera_dpop_proof *p = (tessera_dpop_proof *)SENTINEL;
  CHECK_RC(validate((const tessera_dpop_validator *)key, RFC_PROOF, "POST", TOKEN_URL, NULL,
                    RFC_IAT, &p),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(validate(NULL, RFC_PROOF, "POST", TOKEN_URL, NULL, RFC_IAT, &p),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(validate(v, RFC_PROOF, NULL, TOKEN_URL, NULL, RFC_IAT, &p), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(validate(v, RFC_PROOF, "POST", NULL, NULL, RFC_IAT, &p), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(validate(v, RFC_PROOF, "POST", TOKEN_URL, NULL, RFC_IAT, NULL),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_validate(v, NULL, 3, "POST", TOKEN_URL, NULL, 0, RFC_IAT, &p),
           TESSERA_RESULT_NULL_POINTER);
  CHECK(p == (tessera_dpop_proof *)SENTINEL);
  CHECK_RC(tessera_dpop_proof_json((const tessera_dpop_proof *)v, small, 16, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_dpop_proof_jkt(NULL, small, 16, &len), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_validator_algorithms((const tessera_dpop_validator *)key, small, 16, &len),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_dpop_validator_nonce(NULL, NOW, small, 16, &len), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_dpop_nonce_issuer_nonce((const tessera_dpop_nonce_issuer *)v, NOW, small, 16,
                                           &len),
           TESSERA_RESULT_WRONG_HANDLE);
  size_t a = 0, b = 0;
  uint64_t c = 0;
  CHECK_RC(tessera_replay_cache_stats((const tessera_replay_cache *)v, &a, &b, &c),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(len == 7);
  /* Bad configurations: no handle written. */
  tessera_dpop_validator *nv = (tessera_dpop_validator *)SENTINEL;
  CHECK_RC(tessera_dpop_validator_new(STR("{\"algorithms\":[\"HS256\"]}"), NULL, &nv),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_dpop_validator_new(STR("{\"iat_window\":\"60\"}"), NULL, &nv),
           TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_dpop_validator_new(STR("{\"max_len\":1,\"max_len\":2}"), NULL, &nv),
           TESSERA_RESULT_DUPLICATE_MEMBER);
  CHECK_RC(tessera_dpop_validator_new(STR("{\"nope\":1}"), NULL, &nv), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_dpop_validator_new(NULL, 0, (const tessera_dpop_nonce_issuer *)key, &nv),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_dpop_validator_new(NULL, 0, NULL, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK(nv == (tessera_dpop_validator *)SENTINEL);
  /* Bad UTF-8 where text is required. */
  static const uint8_t bad[] = {0xc3, 0x28};
  CHECK_RC(tessera_dpop_ath(bad, 2, small, 16, &len), TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", TOKEN_URL, NOW, NULL, bad, 2, small, 16, &len),
           TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_dpop_proof_create(key, "POST", "https://a/\xc3\x28", NOW, NULL, NULL, 0, small,
                                     16, &len),
           TESSERA_RESULT_INVALID_UTF8);
  /* Keys that cannot make proofs. */
  tessera_key *pub = NULL, *hmac = NULL;
  CHECK_OK(tessera_key_public(key, &pub));
  CHECK_RC(tessera_dpop_proof_create(pub, "POST", TOKEN_URL, NOW, NULL, NULL, 0, small, 16, &len),
           TESSERA_RESULT_NOT_PRIVATE_KEY);
  static const uint8_t secret[32] = {1};
  CHECK_OK(tessera_key_hmac(secret, 32, "HS256", &hmac));
  CHECK_RC(tessera_dpop_proof_create(hmac, "POST", TOKEN_URL, NOW, NULL, NULL, 0, small, 16, &len),
           TESSERA_RESULT_KEY_ALGORITHM_MISMATCH);
  CHECK(len == 7);
  tessera_key_free(pub);
  tessera_key_free(hmac);
  /* _free(NULL) and _free of another kind are no-ops (the handles stay usable). */
  tessera_dpop_nonce_issuer_free(NULL);
  tessera_dpop_validator_free(NULL);
  tessera_dpop_proof_free(NULL);
  tessera_replay_cache_free(NULL);
  tessera_dpop_proof_free((tessera_dpop_proof *)v);
  tessera_replay_cache_free((tessera_replay_cache *)v);
  tessera_dpop_nonce_issuer_free((tessera_dpop_nonce_issuer *)v);
  tessera_dpop_validator_free((tessera_dpop_validator *)key);
  struct text algs;
  CHECK_OK(read_out(&algs, validator_algs_fn, v));
  text_free(&algs);
  tessera_dpop_validator_free(v);
  tessera_key_free(key);
}

static const struct harness_test TESTS[] = {
    HARNESS_TEST(create_and_validate),
    HARNESS_TEST(rfc9449_example),
    HARNESS_TEST(nonce_flow),
    HARNESS_TEST(replay),
    HARNESS_TEST(replay_threads),
    HARNESS_TEST(check_binding),
    HARNESS_TEST(buffers_and_arguments),
};

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
