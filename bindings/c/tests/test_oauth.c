/* Tests of the OAuth side of include/tessera.h through the C ABI: scopes and scope policies,
 * opaque tokens and peppers, PKCE, the wire formats and the grant issuer. As test_tessera.c
 * does for the JWT core: results, NULL in every pointer argument, (NULL, 0) inputs, too-small
 * buffers, handles of the wrong kind, _free(NULL), and real behaviour — down to a whole
 * authorization-code flow with PKCE, refresh rotation and replay detection, client
 * credentials, revocation and introspection.
 *
 * Outputs are JSON; no JSON library is used: json_at() below finds one member by a dotted path
 * ("response.access_token", "effects.0.effect"), CHECK_JSTR/CHECK_JRAW compare it, and
 * CHECK_HAS looks for a substring. Every buffer-writing call goes through CHECK_OUT, which
 * checks the whole buffer convention (size query, NULL out_len, a buffer one byte short left
 * untouched, the retry) on the way.
 *
 * Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
 *   gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/c/tests -o test_oauth \
 *       bindings/c/tests/test_oauth.c target/debug/libtessera.a \
 *       -lgcc_s -lutil -lrt -lpthread -lm -ldl
 * Run: ./test_oauth [test names...] */

#include <pthread.h>
#include <stdarg.h>
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

/* A pointer that no tessera function may write (outputs only on success). */
static char sentinel_object;
#define SENTINEL ((void *)&sentinel_object)

static const char POLICY[] =
    "{\"issuer\":\"https://as.example\",\"audiences\":[\"api\"],"
    "\"implications\":{\"rules\":{\"write\":[\"read\"]}}}";
/* A public client that may use codes (with PKCE) and refresh tokens. */
static const char APP[] =
    "{\"client_id\":\"app\",\"kind\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
    "\"allowed_scope\":\"read write\",\"grant_types\":[\"authorization_code\","
    "\"refresh_token\"]}";
#define APP_REDIRECT_FORM "https%3A%2F%2Fapp.example%2Fcb"
#define APP_REDIRECT_FMT "https%%3A%%2F%%2Fapp.example%%2Fcb" /* in fmt() formats */
#define PEPPER_SECRET "0123456789abcdef0123456789abcdef"

/* RFC 7636 Appendix B. */
static const char PKCE_VERIFIER[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char PKCE_CHALLENGE[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/* ---- text outputs ------------------------------------------------------------------------- */

/* An output: malloc'd, NUL-terminated (the library's outputs are not), with its length. */
struct text {
  char *s;
  size_t len;
};

static void text_free(struct text *t) {
  free(t->s);
  t->s = NULL;
  t->len = 0;
}

static struct text text_of(const char *p, size_t n) {
  struct text t;
  t.s = (char *)malloc(n + 1);
  if (!t.s) abort();
  if (n) memcpy(t.s, p, n);
  t.s[n] = '\0';
  t.len = n;
  return t;
}

/* Whether the n bytes at p contain the string needle (memmem is not C11). */
static int has(const void *p, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; k <= n && i <= n - k; i++)
    if (memcmp((const char *)p + i, needle, k) == 0) return 1;
  return 0;
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t value) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != value) return 0;
  return 1;
}

#define CHECK_HAS(t, needle)                                                              \
  do {                                                                                    \
    harness_checks++;                                                                     \
    if (!(t).s || !has((t).s, (t).len, (needle))) {                                       \
      harness_fail(__FILE__, __LINE__);                                                   \
      fprintf(stderr, "%s lacks %s:\n    %s\n", #t, (needle), (t).s ? (t).s : "(none)");  \
    }                                                                                     \
  } while (0)

/* ---- the buffer convention, checked on every call that writes a buffer -------------------- */

/* CHECK_OUT(&text, deterministic, call) runs `call` — an expression whose last three
 * arguments are OUT_ARGS — the ways the buffer convention allows and checks each promise: the
 * size query with (NULL, 0), NULL out_len, NULL out with a capacity, a buffer one byte short
 * (needed size reported, buffer untouched), an exact heap buffer (so ASan sees any overrun)
 * and a larger one (nothing written past the output). Functions that mint tokens discard
 * their output on BUFFER_TOO_SMALL and produce fresh values on the retry: those pass
 * deterministic = 0, and only the length must stay the same. On success *text holds the
 * output (text_free it); on failure text->s is NULL.
 *
 * CHECK_OUT_RC(&text, want, call): the call must fail with `want` and write nothing. */
struct oc {
  const char *what, *file;
  int line, step, deterministic;
  tessera_result want;
  struct text *text;
  size_t need, got;
  uint8_t *o, *big, *small, *exact;
  size_t cap, *lenp;
};
#define OUT_ARGS oc_.o, oc_.cap, oc_.lenp

static struct oc oc_begin(struct text *t, int deterministic, tessera_result want,
                          const char *what, const char *file, int line) {
  struct oc c;
  memset(&c, 0, sizeof c);
  c.what = what;
  c.file = file;
  c.line = line;
  c.deterministic = deterministic;
  c.want = want;
  c.text = t;
  c.step = -1;
  t->s = NULL;
  t->len = 0;
  return c;
}

static int oc_check(struct oc *c, int ok, const char *cond) {
  harness_checks++;
  if (!ok) {
    harness_fail(c->file, c->line);
    fprintf(stderr, "%s (step %d): %s\n", c->what, c->step, cond);
  }
  return ok;
}
#define OC_CHECK(c, cond) oc_check((c), (cond), #cond)

static void oc_cleanup(struct oc *c) {
  free(c->big);
  free(c->small);
  c->big = c->small = NULL;
}

/* Sets up the arguments of the next step; 0 when done. */
static int oc_next(struct oc *c) {
  c->step++;
  c->got = 12345;
  switch (c->step) {
    case 0: /* the size query */
      c->need = (size_t)-1;
      c->o = NULL, c->cap = 0, c->lenp = &c->need;
      return 1;
    case 1: /* NULL out_len */
      c->big = (uint8_t *)malloc(c->need + 64);
      c->small = (uint8_t *)malloc(c->need > 1 ? c->need - 1 : 1); /* exactly cap bytes */
      c->exact = (uint8_t *)malloc(c->need + 1);
      if (!c->big || !c->small || !c->exact) abort();
      memset(c->big, 0xA5, c->need + 64);
      memset(c->small, 0xA5, c->need > 1 ? c->need - 1 : 1);
      c->o = c->big, c->cap = c->need + 64, c->lenp = NULL;
      return 1;
    case 2: /* NULL out with a capacity */
      c->o = NULL, c->cap = c->need + 1, c->lenp = &c->got;
      return 1;
    case 3: /* one byte short */
      if (c->need == 0) c->step++;
      else {
        c->o = c->small, c->cap = c->need - 1, c->lenp = &c->got;
        return 1;
      }
      /* fall through */
    case 4: /* exact */
      c->o = c->exact, c->cap = c->need, c->lenp = &c->got;
      return 1;
    case 5: /* larger */
      c->o = c->big, c->cap = c->need + 64, c->lenp = &c->got;
      return 1;
    default:
      if (c->exact && c->step == 6) {
        c->exact[c->need] = '\0';
        c->text->s = (char *)c->exact;
        c->text->len = c->need;
        c->exact = NULL;
      }
      free(c->exact);
      c->exact = NULL;
      oc_cleanup(c);
      return 0;
  }
}

static void oc_fail(struct oc *c) {
  free(c->exact);
  c->exact = NULL;
  oc_cleanup(c);
  c->step = 100; /* stop */
}

static void oc_result(struct oc *c, tessera_result rc) {
  switch (c->step) {
    case 0:
      if (c->want != TESSERA_RESULT_OK) {
        harness_rc(c->file, c->line, c->what, rc, c->want);
        OC_CHECK(c, c->need == (size_t)-1);
        c->step = 100;
        return;
      }
      if (rc == TESSERA_RESULT_OK) {
        if (!OC_CHECK(c, c->need == 0)) c->step = 100;
      } else if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_BUFFER_TOO_SMALL) ||
                 !OC_CHECK(c, c->need > 0 && c->need < (size_t)1 << 24)) {
        c->step = 100;
      }
      return;
    case 1:
      if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_NULL_POINTER)) oc_fail(c);
      else OC_CHECK(c, all_bytes(c->big, c->need + 64, 0xA5));
      return;
    case 2:
      if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_NULL_POINTER)) oc_fail(c);
      else OC_CHECK(c, c->got == 12345);
      return;
    case 3:
      if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_BUFFER_TOO_SMALL)) {
        oc_fail(c);
        return;
      }
      OC_CHECK(c, c->got == c->need);
      OC_CHECK(c, all_bytes(c->small, c->need - 1, 0xA5));
      return;
    case 4:
      if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_OK) ||
          !OC_CHECK(c, c->got == c->need))
        oc_fail(c);
      return;
    case 5:
      if (!harness_rc(c->file, c->line, c->what, rc, TESSERA_RESULT_OK) ||
          !OC_CHECK(c, c->got == c->need)) {
        oc_fail(c);
        return;
      }
      OC_CHECK(c, all_bytes(c->big + c->need, 64, 0xA5));
      if (c->deterministic) OC_CHECK(c, memcmp(c->big, c->exact, c->need) == 0);
      return;
    default:
      return;
  }
}

#define CHECK_OUT_FULL(t, det, want, call)                                             \
  for (struct oc oc_ = oc_begin((t), (det), (want), #call, __FILE__, __LINE__);        \
       oc_next(&oc_); oc_result(&oc_, (call)))
#define CHECK_OUT(t, det, call) CHECK_OUT_FULL(t, det, TESSERA_RESULT_OK, call)
#define CHECK_OUT_RC(t, want, call) CHECK_OUT_FULL(t, 1, want, call)

/* Calls a buffer-writing function once, the plain way (size query, then an exact buffer). */
#define CALL_OUT(t, call)                                                               \
  do {                                                                                  \
    uint8_t *o_ = NULL;                                                                 \
    size_t cap_ = 0, n_ = 0;                                                            \
    tessera_result rc_;                                                                 \
    (t)->s = NULL;                                                                      \
    (t)->len = 0;                                                                       \
    for (int try_ = 0; try_ < 4; try_++) {                                              \
      rc_ = (call);                                                                     \
      if (rc_ != TESSERA_RESULT_BUFFER_TOO_SMALL) break;                                \
      free(o_);                                                                         \
      if (!(o_ = (uint8_t *)malloc(n_ + 1))) abort();                                   \
      cap_ = n_;                                                                        \
    }                                                                                   \
    if (harness_rc(__FILE__, __LINE__, #call, rc_, TESSERA_RESULT_OK)) {                \
      *(t) = text_of((const char *)o_, n_);                                             \
    }                                                                                   \
    free(o_);                                                                           \
  } while (0)
#define PLAIN_ARGS o_, cap_, &n_

/* ---- JSON members (json_path.h) ---------------------------------------------------------- */

/* The raw JSON value at `path` as a new text ({NULL, 0} when absent). */
static struct text json_raw(const struct text *t, const char *path) {
  size_t n = 0;
  const char *v = t->s ? json_at(t->s, t->len, path, &n) : NULL;
  if (!v) {
    struct text none = {NULL, 0};
    return none;
  }
  return text_of(v, n);
}

/* Whether the JSON text t has a value at `path`. */
static int json_has(const struct text *t, const char *path) {
  size_t n = 0;
  return t->s && json_at(t->s, t->len, path, &n) != NULL;
}

/* The string at `path`, unescaped (\" \\ \/ only: the values read here need no more). */
static struct text json_str(const struct text *t, const char *path) {
  struct text raw = json_raw(t, path), out = {NULL, 0};
  size_t n = 0;
  if (!raw.s || raw.len < 2 || raw.s[0] != '"') {
    text_free(&raw);
    return out;
  }
  out = text_of(raw.s + 1, raw.len - 2);
  for (size_t i = 0; i < out.len; i++) {
    if (out.s[i] == '\\' && i + 1 < out.len) i++;
    out.s[n++] = out.s[i];
  }
  out.s[n] = '\0';
  out.len = n;
  text_free(&raw);
  return out;
}

static int json_check(const char *file, int line, const struct text *t, const char *path,
                      const char *want, int as_string) {
  struct text v = as_string ? json_str(t, path) : json_raw(t, path);
  int ok = v.s && strcmp(v.s, want) == 0;
  harness_checks++;
  if (!ok) {
    harness_fail(file, line);
    fprintf(stderr, "%s is %s, expected %s%s%s in\n    %s\n", path, v.s ? v.s : "(absent)",
            as_string ? "\"" : "", want, as_string ? "\"" : "", t->s ? t->s : "(no output)");
  }
  text_free(&v);
  return ok;
}

/* The member at `path` is the string `want` / the raw JSON `want` (numbers, true, null, ...). */
#define CHECK_JSTR(t, path, want) ((void)json_check(__FILE__, __LINE__, &(t), (path), (want), 1))
#define CHECK_JRAW(t, path, want) ((void)json_check(__FILE__, __LINE__, &(t), (path), (want), 0))

/* The value of query parameter `name` in a URI (raw, not decoded), or {NULL, 0}. */
static struct text query_param(const char *uri, const char *name) {
  const char *q = strchr(uri, '?');
  size_t k = strlen(name);
  struct text none = {NULL, 0};
  while (q) {
    q++;
    if (strncmp(q, name, k) == 0 && q[k] == '=')
      return text_of(q + k + 1, strcspn(q + k + 1, "&#"));
    q = strchr(q, '&');
  }
  return none;
}

/* ---- fixtures ----------------------------------------------------------------------------- */

static tessera_peppers *peppers_new(const char *key_id, const char *secret) {
  tessera_peppers *p = NULL;
  return tessera_peppers_new(key_id, STR(secret), &p) == TESSERA_RESULT_OK ? p : NULL;
}

static tessera_scopes *scopes(const char *s) {
  tessera_scopes *out = NULL;
  tessera_result rc = tessera_scopes_parse(STR(s), &out);
  if (rc != TESSERA_RESULT_OK)
    fprintf(stderr, "tessera_scopes_parse(%s): %s\n", s, tessera_result_name(rc));
  return out;
}

static struct text scope_string(const tessera_scopes *s) {
  struct text t;
  CHECK_OUT(&t, 1, tessera_scopes_to_string(s, OUT_ARGS));
  return t;
}

/* An issuer with an ES256 key (kid "as-1") and one pepper, and the public key to verify its
 * access tokens. */
struct as {
  tessera_key *key, *public_key;
  tessera_peppers *peppers;
  tessera_issuer *issuer;
};

static int as_init(struct as *a) {
  tessera_key *k = NULL;
  memset(a, 0, sizeof *a);
  if (tessera_key_generate("ES256", &k) != TESSERA_RESULT_OK) return 0;
  if (tessera_key_with_kid(k, "as-1", &a->key) != TESSERA_RESULT_OK) a->key = NULL;
  tessera_key_free(k);
  a->peppers = peppers_new("p1", PEPPER_SECRET);
  if (!a->key || !a->peppers ||
      tessera_key_public(a->key, &a->public_key) != TESSERA_RESULT_OK ||
      tessera_issuer_new(STR(POLICY), a->key, a->peppers, &a->issuer) != TESSERA_RESULT_OK)
    return 0;
  return 1;
}

static void as_free(struct as *a) {
  tessera_issuer_free(a->issuer);
  tessera_peppers_free(a->peppers);
  tessera_key_free(a->public_key);
  tessera_key_free(a->key);
  memset(a, 0, sizeof *a);
}

#define REQUIRE_AS(a)               \
  do {                              \
    if (!as_init(a)) {              \
      CHECK(0 && "issuer fixture"); \
      as_free(a);                   \
      return;                       \
    }                               \
  } while (0)

/* The token endpoint as a host runs it: parse the form body, then call the issuer with the
 * parsed `client_auth` and `request` members, the client registration and the state. */
static struct text token_endpoint(const struct as *a, const char *client, const char *state,
                                  const char *body, const char *authorization, int64_t now) {
  struct text parsed, auth, request, out = {NULL, 0};
  CALL_OUT(&parsed, tessera_token_request_parse(STR(body), authorization, PLAIN_ARGS));
  auth = json_raw(&parsed, "client_auth");
  request = json_raw(&parsed, "request");
  if (auth.s && request.s)
    CHECK_OUT(&out, 0,
              tessera_issuer_token(a->issuer, (const uint8_t *)client, client ? strlen(client) : 0,
                                   STR(auth.s), (const uint8_t *)state, state ? strlen(state) : 0,
                                   STR(request.s), now, OUT_ARGS));
  text_free(&parsed);
  text_free(&auth);
  text_free(&request);
  return out;
}

/* A verifier for the issuer's access tokens: its public key, iss, aud and typ at+jwt. */
static tessera_verifier *access_token_verifier(const struct as *a) {
  tessera_verifier_builder *b = NULL;
  tessera_verifier *v = NULL;
  if (tessera_verifier_builder_new(&b) != TESSERA_RESULT_OK) return NULL;
  if (tessera_verifier_builder_add_issuer(b, "https://as.example") != TESSERA_RESULT_OK ||
      tessera_verifier_builder_add_audience(b, "api") != TESSERA_RESULT_OK ||
      tessera_verifier_builder_set_typ(b, "at+jwt") != TESSERA_RESULT_OK ||
      tessera_verifier_new_with_key(b, a->public_key, &v) != TESSERA_RESULT_OK)
    v = NULL;
  tessera_verifier_builder_free(b);
  return v;
}

/* Changes one character of `s` at index i to another of the same alphabet class. */
static void mutate(char *s, size_t i) { s[i] = s[i] == 'A' ? 'B' : (s[i] == '0' ? '1' : 'A'); }

/* ---- scope policies and scope sets -------------------------------------------------------- */

static void test_scope_policy(void) {
  tessera_scope_policy *pairs = NULL, *object = NULL, *none = NULL;
  tessera_scope_policy *out = (tessera_scope_policy *)SENTINEL;
  tessera_scopes *granted = scopes("job:write"), *requested = scopes("job:read");
  static const struct {
    const char *json;
    tessera_result want;
  } bad[] = {
      {"{\"surprise\":true}", TESSERA_RESULT_INVALID_JSON},
      {"{\"wildcard_actions\":\"yes\"}", TESSERA_RESULT_INVALID_JSON},
      {"{\"rules\":[[\"a\"]]}", TESSERA_RESULT_INVALID_JSON},
      {"{\"rules\":7}", TESSERA_RESULT_INVALID_JSON},
      {"{", TESSERA_RESULT_INVALID_JSON},
      {"nope", TESSERA_RESULT_INVALID_JSON},
      {"\"rules\"", TESSERA_RESULT_INVALID_JSON},
      /* Not listed: a JSON array such as [] or [true,["all"]] is accepted as the policy's
       * members in declaration order (serde's sequence form of structs), although the header
       * asks for an object; the same holds for the grant policy, client and request JSON. */
      {"{\"superscopes\":[\"a b\"]}", TESSERA_RESULT_INVALID_SCOPE},
      {"{\"rules\":[[\"a\",\"b\\\"c\"]]}", TESSERA_RESULT_INVALID_SCOPE},
      {"{\"rules\":{\"a\":[\"\"]}}", TESSERA_RESULT_INVALID_SCOPE},
  };
  if (!granted || !requested) {
    CHECK(0 && "scopes");
    return;
  }
  /* Both forms of rules, and (NULL, 0): the table in which a scope implies only itself. */
  CHECK_OK(tessera_scope_policy_from_json(STR("{\"rules\":[[\"job:write\",\"job:read\"]]}"),
                                          &pairs));
  CHECK_OK(tessera_scope_policy_from_json(STR("{\"rules\":{\"job:write\":[\"job:read\"]}}"),
                                          &object));
  CHECK_OK(tessera_scope_policy_from_json(NULL, 0, &none));
  CHECK(pairs && object && none);
  CHECK_OK(tessera_scopes_check(granted, requested, pairs));
  CHECK_OK(tessera_scopes_check(granted, requested, object));
  CHECK_RC(tessera_scopes_check(granted, requested, none), TESSERA_RESULT_SCOPE_NOT_GRANTED);
  /* The empty object is the empty table as well. */
  tessera_scope_policy_free(none);
  none = NULL;
  CHECK_OK(tessera_scope_policy_from_json(STR("{}"), &none));
  CHECK_RC(tessera_scopes_check(granted, requested, none), TESSERA_RESULT_SCOPE_NOT_GRANTED);

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tessera_result rc = tessera_scope_policy_from_json(STR(bad[i].json), &out);
    if (rc != bad[i].want) fprintf(stderr, "  policy %s\n", bad[i].json);
    CHECK_RC(rc, bad[i].want);
  }
  CHECK_RC(tessera_scope_policy_from_json(STR("{\"rules\":[[\"a\",\"b\"]]}\xff"), &out),
           TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_scope_policy_from_json(NULL, 5, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK(out == (tessera_scope_policy *)SENTINEL);
  CHECK_RC(tessera_scope_policy_from_json(STR("{}"), NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scope_policy_from_json(NULL, 0, NULL), TESSERA_RESULT_NULL_POINTER);

  /* Freeing with the wrong function is ignored (tagged handles); the handles stay usable. */
  tessera_scope_policy_free((tessera_scope_policy *)(void *)granted);
  tessera_scopes_free((tessera_scopes *)(void *)pairs);
  CHECK_OK(tessera_scopes_check(granted, requested, pairs));
  tessera_scope_policy_free(NULL);

  tessera_scope_policy_free(pairs);
  tessera_scope_policy_free(object);
  tessera_scope_policy_free(none);
  tessera_scopes_free(granted);
  tessera_scopes_free(requested);
}

static void test_scopes_parse(void) {
  tessera_scopes *s = NULL, *empty = NULL, *out = (tessera_scopes *)SENTINEL;
  tessera_scope_policy *policy = NULL;
  struct text t;
  size_t n = 99;
  bool yes = false;
  char many[256 * 4 + 8], *m = many;

  REQUIRE_OK(tessera_scopes_parse(STR("job:write recording:* job:write"), &s));
  t = scope_string(s);
  CHECK(t.s && strcmp(t.s, "job:write recording:*") == 0); /* sorted, deduplicated */
  text_free(&t);
  CHECK_OK(tessera_scopes_len(s, &n));
  CHECK(n == 2);
  CHECK_OK(tessera_scopes_contains(s, "job:write", &yes));
  CHECK(yes);
  CHECK_OK(tessera_scopes_contains(s, "job:read", &yes)); /* no implication here */
  CHECK(!yes);
  CHECK_OK(tessera_scopes_contains(s, "", &yes));
  CHECK(!yes);

  /* (NULL, 0) and "" are the empty set: an empty string, zero scopes. */
  CHECK_OK(tessera_scopes_parse(NULL, 0, &empty));
  t = scope_string(empty);
  CHECK(t.s && t.len == 0);
  text_free(&t);
  CHECK_OK(tessera_scopes_len(empty, &n));
  CHECK(n == 0);
  tessera_scopes_free(empty);
  empty = NULL;
  CHECK_OK(tessera_scopes_parse(STR(""), &empty));
  CHECK_OK(tessera_scopes_len(empty, &n));
  CHECK(n == 0);

  /* RFC 6749 §3.3 grammar: one space between tokens, no other space, %x21 / %x23-5B / %x5D-7E. */
  static const char *const bad_scopes[] = {"a  b", " a", "a ", "a\tb", "a\"b", "a\\b", "\x7f"};
  for (size_t i = 0; i < sizeof bad_scopes / sizeof bad_scopes[0]; i++)
    CHECK_RC(tessera_scopes_parse(STR(bad_scopes[i]), &out), TESSERA_RESULT_INVALID_SCOPE);
  CHECK_RC(tessera_scopes_parse(STR("caf\xc3\xa9"), &out), TESSERA_RESULT_INVALID_SCOPE);
  CHECK_RC(tessera_scopes_parse(STR("a \xff"), &out), TESSERA_RESULT_INVALID_UTF8);
  /* More than 256 scopes. */
  for (int i = 0; i < 257; i++) m += sprintf(m, "%s%c%c", i ? " " : "", 'a' + i % 26, 'a' + i / 26);
  CHECK_RC(tessera_scopes_parse(STR(many), &out), TESSERA_RESULT_TOO_LARGE);
  CHECK_RC(tessera_scopes_parse(NULL, 1, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK(out == (tessera_scopes *)SENTINEL);
  CHECK_RC(tessera_scopes_parse(STR("a"), NULL), TESSERA_RESULT_NULL_POINTER);

  /* Accessors: NULL arguments, handles of the wrong kind; outputs untouched on failure. */
  REQUIRE_OK(tessera_scope_policy_from_json(NULL, 0, &policy));
  n = 99;
  yes = true;
  CHECK_RC(tessera_scopes_len(NULL, &n), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_len(s, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_len((const tessera_scopes *)(void *)policy, &n),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(n == 99);
  CHECK_RC(tessera_scopes_contains(NULL, "a", &yes), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_contains(s, NULL, &yes), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_contains(s, "a", NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_contains(s, "\xff", &yes), TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_scopes_contains((const tessera_scopes *)(void *)policy, "a", &yes),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(yes);
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_scopes_to_string(NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_scopes_to_string((const tessera_scopes *)(void *)policy, OUT_ARGS));

  tessera_scope_policy_free(policy);
  tessera_scopes_free(empty);
  tessera_scopes_free(s);
  tessera_scopes_free(NULL);
}

static void test_scopes_from_claims(void) {
  tessera_scopes *s = NULL, *out = (tessera_scopes *)SENTINEL;
  struct text t;
  static const struct {
    const char *claims;
    tessera_result want;
  } bad[] = {
      {"{\"scope\":7}", TESSERA_RESULT_INVALID_CLAIM_TYPE},
      {"{\"scp\":{\"a\":1}}", TESSERA_RESULT_INVALID_CLAIM_TYPE},
      {"{\"scope\":\"a  b\"}", TESSERA_RESULT_INVALID_SCOPE},
      {"[]", TESSERA_RESULT_INVALID_JSON},
      {"{", TESSERA_RESULT_INVALID_JSON},
      {"", TESSERA_RESULT_INVALID_JSON},
  };
  /* scope and scp, strings and arrays (of strings or resource/actions objects): the union. */
  REQUIRE_OK(tessera_scopes_from_claims(
      STR("{\"sub\":\"u\",\"scope\":\"b a\",\"scp\":[\"c\",{\"resource\":\"job\","
          "\"actions\":[\"read\",\"write\"]}]}"),
      &s));
  t = scope_string(s);
  CHECK(t.s && strcmp(t.s, "a b c job:read job:write") == 0);
  text_free(&t);
  tessera_scopes_free(s);
  s = NULL;
  /* Neither claim: the empty set. */
  CHECK_OK(tessera_scopes_from_claims(STR("{\"sub\":\"u\"}"), &s));
  t = scope_string(s);
  CHECK(t.s && t.len == 0);
  text_free(&t);
  tessera_scopes_free(s);

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tessera_result rc = tessera_scopes_from_claims(STR(bad[i].claims), &out);
    if (rc != bad[i].want) fprintf(stderr, "  claims %s\n", bad[i].claims);
    CHECK_RC(rc, bad[i].want);
  }
  CHECK_RC(tessera_scopes_from_claims(NULL, 0, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_scopes_from_claims(NULL, 2, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK(out == (tessera_scopes *)SENTINEL);
  CHECK_RC(tessera_scopes_from_claims(STR("{}"), NULL), TESSERA_RESULT_NULL_POINTER);
}

static void test_scopes_covers_narrow_reduce(void) {
  tessera_scope_policy *policy = NULL;
  tessera_scopes *granted = scopes("job:write recording:*");
  tessera_scopes *requested = scopes("job:read recording:delete");
  tessera_scopes *other = scopes("billing:read");
  tessera_scopes *wide = scopes("all job:read job:write recording:* recording:read");
  tessera_scopes *empty = scopes("");
  tessera_scopes *narrowed = NULL, *reduced = NULL, *out = (tessera_scopes *)SENTINEL;
  const tessera_scopes *wrong = NULL;
  const tessera_scope_policy *wrong_policy = NULL;
  struct text t;
  bool yes = false;
  if (!granted || !requested || !other || !wide || !empty) {
    CHECK(0 && "scopes");
    goto done;
  }
  if (!harness_rc(__FILE__, __LINE__, "policy",
                  tessera_scope_policy_from_json(
                      STR("{\"wildcard_actions\":true,\"superscopes\":[\"all\"],"
                          "\"rules\":[[\"job:write\",\"job:read\"]]}"),
                      &policy),
                  TESSERA_RESULT_OK))
    goto done;
  wrong = (const tessera_scopes *)(const void *)policy;
  wrong_policy = (const tessera_scope_policy *)(const void *)granted;

  /* covers: implication through the policy only. */
  CHECK_OK(tessera_scopes_covers(granted, requested, policy, &yes));
  CHECK(yes);
  CHECK_OK(tessera_scopes_covers(granted, requested, NULL, &yes));
  CHECK(!yes);
  CHECK_OK(tessera_scopes_covers(granted, other, policy, &yes));
  CHECK(!yes);
  CHECK_OK(tessera_scopes_covers(granted, empty, NULL, &yes)); /* empty: always covered */
  CHECK(yes);
  CHECK_OK(tessera_scopes_covers(empty, requested, policy, &yes));
  CHECK(!yes);
  CHECK_OK(tessera_scopes_covers(wide, other, policy, &yes)); /* superscope */
  CHECK(yes);
  /* check: the same as a result code. */
  CHECK_OK(tessera_scopes_check(granted, requested, policy));
  CHECK_RC(tessera_scopes_check(granted, requested, NULL), TESSERA_RESULT_SCOPE_NOT_GRANTED);
  CHECK_RC(tessera_scopes_check(granted, other, policy), TESSERA_RESULT_SCOPE_NOT_GRANTED);
  CHECK_OK(tessera_scopes_check(granted, empty, NULL));

  /* narrow: a new handle holding `requested`, only when covered. */
  REQUIRE_OK(tessera_scopes_narrow(granted, requested, policy, &narrowed));
  t = scope_string(narrowed);
  CHECK(t.s && strcmp(t.s, "job:read recording:delete") == 0);
  text_free(&t);
  CHECK_RC(tessera_scopes_narrow(granted, other, policy, &out), TESSERA_RESULT_SCOPE_NOT_GRANTED);
  CHECK_RC(tessera_scopes_narrow(granted, requested, NULL, &out),
           TESSERA_RESULT_SCOPE_NOT_GRANTED);
  CHECK(out == (tessera_scopes *)SENTINEL);

  /* reduce: drop every scope implied by another; NULL policy copies. */
  REQUIRE_OK(tessera_scopes_reduce(wide, policy, &reduced));
  t = scope_string(reduced);
  CHECK(t.s && strcmp(t.s, "all") == 0);
  text_free(&t);
  tessera_scopes_free(reduced);
  reduced = NULL;
  CHECK_OK(tessera_scopes_reduce(requested, policy, &reduced)); /* nothing implied */
  t = scope_string(reduced);
  CHECK(t.s && strcmp(t.s, "job:read recording:delete") == 0);
  text_free(&t);
  tessera_scopes_free(reduced);
  reduced = NULL;
  CHECK_OK(tessera_scopes_reduce(wide, NULL, &reduced));
  t = scope_string(reduced);
  CHECK(t.s && strcmp(t.s, "all job:read job:write recording:* recording:read") == 0);
  text_free(&t);

  /* NULL in each pointer argument, handles of the wrong kind in each handle argument. */
  yes = true;
  CHECK_RC(tessera_scopes_covers(NULL, requested, policy, &yes), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_covers(granted, NULL, policy, &yes), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_covers(granted, requested, policy, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_covers(wrong, requested, policy, &yes), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_covers(granted, wrong, policy, &yes), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_covers(granted, requested, wrong_policy, &yes),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(yes);
  CHECK_RC(tessera_scopes_check(NULL, requested, policy), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_check(granted, NULL, policy), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_check(wrong, requested, policy), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_check(granted, wrong, policy), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_check(granted, requested, wrong_policy), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_narrow(NULL, requested, policy, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_narrow(granted, NULL, policy, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_narrow(granted, requested, policy, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_narrow(wrong, requested, policy, &out), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_narrow(granted, wrong, policy, &out), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_narrow(granted, requested, wrong_policy, &out),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_reduce(NULL, policy, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_reduce(wide, policy, NULL), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_scopes_reduce(wrong, policy, &out), TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_scopes_reduce(wide, wrong_policy, &out), TESSERA_RESULT_WRONG_HANDLE);
  CHECK(out == (tessera_scopes *)SENTINEL);

done:
  tessera_scopes_free(reduced);
  tessera_scopes_free(narrowed);
  tessera_scopes_free(empty);
  tessera_scopes_free(wide);
  tessera_scopes_free(other);
  tessera_scopes_free(requested);
  tessera_scopes_free(granted);
  tessera_scope_policy_free(policy);
}

/* ---- opaque tokens ------------------------------------------------------------------------ */

static int base62(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
          (s[i] >= 'A' && s[i] <= 'Z')))
      return 0;
  return 1;
}

static void test_token_generate(void) {
  static const char *const kinds[] = {"ac", "rt", "ak", "at"};
  static const char *const prefixes[] = {"tsr", "k", "a1234567890abcde"};
  struct text t, again;
  for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      size_t plen = strlen(prefixes[p]);
      /* Minted: every retry is a new token of the same length (checked by CHECK_OUT). */
      CHECK_OUT(&t, 0, tessera_token_generate(prefixes[p], kinds[k], OUT_ARGS));
      if (!t.s) continue;
      CHECK(t.len == plen + 53);
      CHECK(strncmp(t.s, prefixes[p], plen) == 0 && t.s[plen] == '_');
      CHECK(strncmp(t.s + plen + 1, kinds[k], 2) == 0 && t.s[plen + 3] == '_');
      CHECK(base62(t.s + plen + 4, 49));
      CALL_OUT(&again, tessera_token_generate(prefixes[p], kinds[k], PLAIN_ARGS));
      CHECK(again.s && again.len == t.len && strcmp(again.s, t.s) != 0);
      text_free(&again);
      text_free(&t);
    }
  }
  /* Bad prefix or kind: INVALID_ARGUMENT; NULL: NULL_POINTER; nothing written. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("Tsr", "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("", "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("1tsr", "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_token_generate("a1234567890abcdef", "rt", OUT_ARGS)); /* 17 */
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("ts_r", "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("tsr", "zz", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("tsr", "RT", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_token_generate("tsr", "", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8, tessera_token_generate("\xff", "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_token_generate(NULL, "rt", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_token_generate("tsr", NULL, OUT_ARGS));
}

static void test_token_check(void) {
  struct text token, kind, t;
  char *typo = NULL;
  CALL_OUT(&token, tessera_token_generate("tsr", "rt", PLAIN_ARGS));
  if (!token.s) return;

  CHECK_OUT(&kind, 1, tessera_token_check("tsr", STR(token.s), NULL, OUT_ARGS));
  CHECK(kind.s && strcmp(kind.s, "rt") == 0);
  text_free(&kind);
  CHECK_OUT(&kind, 1, tessera_token_check("tsr", STR(token.s), "rt", OUT_ARGS));
  CHECK(kind.s && strcmp(kind.s, "rt") == 0);
  text_free(&kind);
  /* Wrong kind, wrong prefix, bad expected kind. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_TOKEN_KIND,
               tessera_token_check("tsr", STR(token.s), "ac", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("abc", STR(token.s), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_token_check("tsr", STR(token.s), "xx", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_token_check("TSR", STR(token.s), NULL, OUT_ARGS));
  /* A changed character anywhere in the body or checksum breaks the checksum. */
  typo = (char *)malloc(token.len + 1);
  if (!typo) abort();
  for (size_t i = 7; i < token.len; i += 7) {
    memcpy(typo, token.s, token.len + 1);
    mutate(typo, i);
    CHECK_OUT_RC(&t, TESSERA_RESULT_TOKEN_CHECKSUM,
                 tessera_token_check("tsr", STR(typo), "rt", OUT_ARGS));
  }
  /* Grammar: truncated, too long, a character outside base62, a bad separator, not UTF-8. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", (const uint8_t *)token.s, token.len - 1, NULL, OUT_ARGS));
  memcpy(typo, token.s, token.len + 1);
  typo[20] = '-';
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", STR(typo), NULL, OUT_ARGS));
  memcpy(typo, token.s, token.len + 1);
  typo[3] = '-';
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", STR(typo), NULL, OUT_ARGS));
  memcpy(typo, token.s, token.len + 1);
  typo[20] = (char)0xff;
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", STR(typo), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", STR("tsr_rt_short"), NULL, OUT_ARGS));
  /* (NULL, 0) is the empty token: malformed; NULL with a length is a NULL pointer. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_token_check("tsr", NULL, 0, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_token_check("tsr", NULL, token.len, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_token_check(NULL, STR(token.s), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_token_check("tsr", STR(token.s), "\xff", OUT_ARGS));
  free(typo);
  text_free(&token);
}

/* ---- peppers ------------------------------------------------------------------------------ */

static void test_peppers(void) {
  tessera_peppers *old = NULL, *set = NULL, *out = (tessera_peppers *)SENTINEL;
  tessera_scopes *not_peppers = scopes("a");
  struct text token, stored_old, stored_new, checked, t;
  char *typo = NULL;
  const tessera_peppers *wrong = (const tessera_peppers *)(const void *)not_peppers;

  /* Construction: a 32-byte secret at least, a printable key id without spaces. */
  CHECK_RC(tessera_peppers_new("p1", STR("0123456789abcdef0123456789abcde"), &out),
           TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_peppers_new("p1", NULL, 0, &out), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_peppers_new("p1", NULL, 32, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_new("has space", STR(PEPPER_SECRET), &out),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_new("", STR(PEPPER_SECRET), &out), TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_new("p\x01", STR(PEPPER_SECRET), &out),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_new("0123456789012345678901234567890123456789012345678901234567890123x",
                               STR(PEPPER_SECRET), &out),
           TESSERA_RESULT_INVALID_ARGUMENT); /* 65 characters */
  CHECK_RC(tessera_peppers_new("\xff", STR(PEPPER_SECRET), &out), TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_peppers_new(NULL, STR(PEPPER_SECRET), &out), TESSERA_RESULT_NULL_POINTER);
  CHECK(out == (tessera_peppers *)SENTINEL);
  CHECK_RC(tessera_peppers_new("p1", STR(PEPPER_SECRET), NULL), TESSERA_RESULT_NULL_POINTER);
  REQUIRE_OK(tessera_peppers_new("p1", STR(PEPPER_SECRET), &old));
  REQUIRE_OK(tessera_peppers_new("p2", STR("another pepper, 32 bytes or more!"), &set));

  CALL_OUT(&token, tessera_token_generate("tsr", "rt", PLAIN_ARGS));
  if (!token.s) return;
  /* Lookup hashes are deterministic: "<key_id>:<43 base64url>". */
  CHECK_OUT(&stored_old, 1, tessera_peppers_lookup(old, STR(token.s), OUT_ARGS));
  CHECK(stored_old.s && stored_old.len == 3 + 43 && strncmp(stored_old.s, "p1:", 3) == 0);
  CHECK_OUT(&t, 1, tessera_peppers_lookup(set, STR(token.s), OUT_ARGS));
  CHECK(t.s && strncmp(t.s, "p2:", 3) == 0 && stored_old.s &&
        strcmp(t.s + 3, stored_old.s + 3) != 0);
  text_free(&t);
  /* Any UTF-8 text hashes, the empty text included; other bytes do not. */
  CHECK_OUT(&t, 1, tessera_peppers_lookup(old, NULL, 0, OUT_ARGS));
  CHECK(t.s && t.len == 46);
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8, tessera_peppers_lookup(old, STR("\xff"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_peppers_lookup(old, NULL, 3, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_peppers_lookup(NULL, STR("x"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE, tessera_peppers_lookup(wrong, STR("x"), OUT_ARGS));

  /* verify: the stored key id picks the pepper; before rotation p1 is unknown to the set. */
  if (!stored_old.s) goto done;
  CHECK_OK(tessera_peppers_verify(old, STR(token.s), STR(stored_old.s)));
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), STR(stored_old.s)),
           TESSERA_RESULT_TOKEN_MISMATCH);
  CHECK_OK(tessera_peppers_add_previous(set, "p1", STR(PEPPER_SECRET)));
  CHECK_OK(tessera_peppers_verify(set, STR(token.s), STR(stored_old.s)));
  /* A changed character of the token, or of the stored hash, no longer matches. */
  typo = (char *)malloc(token.len + 1);
  if (!typo) abort();
  memcpy(typo, token.s, token.len + 1);
  mutate(typo, token.len - 10);
  CHECK_RC(tessera_peppers_verify(set, STR(typo), STR(stored_old.s)),
           TESSERA_RESULT_TOKEN_MISMATCH);
  free(typo);
  typo = (char *)malloc(stored_old.len + 1);
  if (!typo) abort();
  memcpy(typo, stored_old.s, stored_old.len + 1);
  mutate(typo, 10);
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), STR(typo)), TESSERA_RESULT_TOKEN_MISMATCH);
  CHECK_RC(tessera_peppers_verify(set, NULL, 0, STR(stored_old.s)), TESSERA_RESULT_TOKEN_MISMATCH);
  /* Key ids not in the set, and text that is no lookup hash. */
  CHECK_RC(tessera_peppers_verify(set, STR(token.s),
                                  STR("p9:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
           TESSERA_RESULT_TOKEN_MISMATCH);
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), STR("not a hash")),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), NULL, 0), TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), STR("p1:")), TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_verify(set, STR("\xff"), STR(stored_old.s)),
           TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_peppers_verify(NULL, STR(token.s), STR(stored_old.s)),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_verify(set, NULL, 4, STR(stored_old.s)), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_verify(set, STR(token.s), NULL, 4), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_verify(wrong, STR(token.s), STR(stored_old.s)),
           TESSERA_RESULT_WRONG_HANDLE);

  /* add_previous: the same rules as new; a key id already present is refused. */
  CHECK_RC(tessera_peppers_add_previous(set, "p1", STR(PEPPER_SECRET)),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_add_previous(set, "p2", STR(PEPPER_SECRET)),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_add_previous(set, "p3", STR("short")), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_peppers_add_previous(set, "p3", NULL, 0), TESSERA_RESULT_WEAK_KEY);
  CHECK_RC(tessera_peppers_add_previous(set, "p 3", STR(PEPPER_SECRET)),
           TESSERA_RESULT_INVALID_ARGUMENT);
  CHECK_RC(tessera_peppers_add_previous(set, NULL, STR(PEPPER_SECRET)),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_add_previous(set, "p3", NULL, 32), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_add_previous(NULL, "p3", STR(PEPPER_SECRET)),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_peppers_add_previous((tessera_peppers *)(void *)not_peppers, "p3",
                                        STR(PEPPER_SECRET)),
           TESSERA_RESULT_WRONG_HANDLE);

  /* New hashes use the current pepper; check_and_lookup is check + lookup in one call. */
  CHECK_OUT(&stored_new, 1, tessera_peppers_lookup(set, STR(token.s), OUT_ARGS));
  CHECK(stored_new.s && strncmp(stored_new.s, "p2:", 3) == 0);
  CHECK_OUT(&checked, 1,
            tessera_peppers_check_and_lookup(set, "tsr", STR(token.s), "rt", OUT_ARGS));
  CHECK(checked.s && stored_new.s && strcmp(checked.s, stored_new.s) == 0);
  text_free(&checked);
  CHECK_OUT(&checked, 1,
            tessera_peppers_check_and_lookup(set, "tsr", STR(token.s), NULL, OUT_ARGS));
  CHECK(checked.s && stored_new.s && strcmp(checked.s, stored_new.s) == 0);
  text_free(&checked);
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_TOKEN_KIND,
               tessera_peppers_check_and_lookup(set, "tsr", STR(token.s), "ac", OUT_ARGS));
  free(typo);
  typo = (char *)malloc(token.len + 1);
  if (!typo) abort();
  memcpy(typo, token.s, token.len + 1);
  mutate(typo, token.len - 3);
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOKEN_CHECKSUM,
               tessera_peppers_check_and_lookup(set, "tsr", STR(typo), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_peppers_check_and_lookup(set, "tsr", NULL, 0, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN,
               tessera_peppers_check_and_lookup(set, "tsr", STR("\xff\xfe"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_peppers_check_and_lookup(set, "T", STR(token.s), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_peppers_check_and_lookup(set, "tsr", STR(token.s), "zz", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_peppers_check_and_lookup(NULL, "tsr", STR(token.s), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_peppers_check_and_lookup(set, NULL, STR(token.s), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_peppers_check_and_lookup(set, "tsr", NULL, 5, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_peppers_check_and_lookup(wrong, "tsr", STR(token.s), NULL, OUT_ARGS));
  text_free(&stored_new);

  /* The key id is everything before the last ':' of a stored hash: ids with ':' work. */
  {
    tessera_peppers *colon = peppers_new("p:1:", PEPPER_SECRET);
    CHECK(colon != NULL);
    if (colon) {
      CALL_OUT(&t, tessera_peppers_lookup(colon, STR(token.s), PLAIN_ARGS));
      CHECK(t.s && strncmp(t.s, "p:1::", 5) == 0);
      if (t.s) CHECK_OK(tessera_peppers_verify(colon, STR(token.s), STR(t.s)));
      text_free(&t);
    }
    tessera_peppers_free(colon);
  }

  /* The wrong free function ignores a pepper set; _free(NULL) is a no-op. */
  tessera_scopes_free((tessera_scopes *)(void *)set);
  CHECK_OK(tessera_peppers_verify(set, STR(token.s), STR(stored_old.s)));
  tessera_peppers_free((tessera_peppers *)(void *)not_peppers);
  tessera_peppers_free(NULL);
done:
  free(typo);
  text_free(&stored_old);
  text_free(&token);
  tessera_peppers_free(set);
  tessera_peppers_free(old);
  tessera_scopes_free(not_peppers);
}

/* ---- PKCE --------------------------------------------------------------------------------- */

static int pkce_alphabet(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(base62(s + i, 1) || s[i] == '-' || s[i] == '.' || s[i] == '_' || s[i] == '~'))
      return 0;
  return 1;
}

static void test_pkce(void) {
  struct text verifier, other, challenge, t;
  char long_verifier[130];
  /* RFC 7636 Appendix B. */
  CHECK_OUT(&challenge, 1, tessera_pkce_challenge(STR(PKCE_VERIFIER), OUT_ARGS));
  CHECK(challenge.s && strcmp(challenge.s, PKCE_CHALLENGE) == 0);
  text_free(&challenge);
  CHECK_OK(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), "S256", false));
  CHECK_OK(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), "S256", true));

  /* Fresh verifiers: 43 characters of the RFC 7636 alphabet, a new one on every call. */
  CHECK_OUT(&verifier, 0, tessera_pkce_verifier_new(OUT_ARGS));
  CALL_OUT(&other, tessera_pkce_verifier_new(PLAIN_ARGS));
  if (!verifier.s || !other.s) goto done;
  CHECK(verifier.len == 43 && pkce_alphabet(verifier.s, verifier.len));
  CHECK(other.len == 43 && strcmp(other.s, verifier.s) != 0);
  CHECK_OUT(&challenge, 1, tessera_pkce_challenge(STR(verifier.s), OUT_ARGS));
  CHECK(challenge.s && challenge.len == 43);
  if (!challenge.s) goto done;
  CHECK_OK(tessera_pkce_verify(STR(verifier.s), STR(challenge.s), "S256", false));
  CHECK_RC(tessera_pkce_verify(STR(other.s), STR(challenge.s), "S256", false),
           TESSERA_RESULT_PKCE_MISMATCH);
  CHECK_RC(tessera_pkce_verify(STR(verifier.s), STR(PKCE_CHALLENGE), "S256", false),
           TESSERA_RESULT_PKCE_MISMATCH);
  CHECK_RC(tessera_pkce_verify(STR(verifier.s), STR(verifier.s), "S256", false),
           TESSERA_RESULT_PKCE_MISMATCH);

  /* plain: only when allowed; the method names are exact. */
  CHECK_RC(tessera_pkce_verify(STR(verifier.s), STR(verifier.s), "plain", false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_OK(tessera_pkce_verify(STR(verifier.s), STR(verifier.s), "plain", true));
  CHECK_RC(tessera_pkce_verify(STR(verifier.s), STR(other.s), "plain", true),
           TESSERA_RESULT_PKCE_MISMATCH);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), "s256", false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), "", false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), "\xff", false),
           TESSERA_RESULT_INVALID_UTF8);

  /* Malformed verifiers and challenges: 43 to 128 characters of [A-Za-z0-9-._~]. */
  memset(long_verifier, 'a', sizeof long_verifier);
  long_verifier[128] = '\0';
  CHECK_OUT(&t, 1, tessera_pkce_challenge(STR(long_verifier), OUT_ARGS));
  CHECK(t.s && t.len == 43);
  text_free(&t);
  long_verifier[129] = '\0';
  long_verifier[128] = 'a';
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_PKCE,
               tessera_pkce_challenge(STR(long_verifier), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_PKCE,
               tessera_pkce_challenge((const uint8_t *)PKCE_VERIFIER, 42, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_PKCE,
               tessera_pkce_challenge(STR("dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk"),
                                      OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_PKCE, tessera_pkce_challenge(STR("\xff"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_PKCE, tessera_pkce_challenge(NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_pkce_challenge(NULL, 43, OUT_ARGS));
  CHECK_RC(tessera_pkce_verify((const uint8_t *)PKCE_VERIFIER, 42, STR(PKCE_CHALLENGE), "S256",
                               false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), (const uint8_t *)PKCE_CHALLENGE, 42, "S256",
                               false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(NULL, 0, STR(PKCE_CHALLENGE), "S256", false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), NULL, 0, "S256", false),
           TESSERA_RESULT_INVALID_PKCE);
  CHECK_RC(tessera_pkce_verify(NULL, 43, STR(PKCE_CHALLENGE), "S256", false),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), NULL, 43, "S256", false),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_pkce_verify(STR(PKCE_VERIFIER), STR(PKCE_CHALLENGE), NULL, false),
           TESSERA_RESULT_NULL_POINTER);
done:
  text_free(&challenge);
  text_free(&other);
  text_free(&verifier);
}

/* ---- wire formats ------------------------------------------------------------------------- */

static void test_form_parse(void) {
  struct text t;
  char *big = NULL;
  /* Decoding: + is a space, %XX escapes; parameters sent empty are omitted. */
  CHECK_OUT(&t, 1, tessera_form_parse(STR("a=1&b=x+y&c=&d=%3A%2f&e=caf%C3%A9"), OUT_ARGS));
  CHECK_JSTR(t, "a", "1");
  CHECK_JSTR(t, "b", "x y");
  CHECK_JSTR(t, "d", ":/");
  CHECK_JSTR(t, "e", "caf\xc3\xa9");
  CHECK(!json_has(&t, "c"));
  text_free(&t);
  /* (NULL, 0) and "" are no parameters. */
  CHECK_OUT(&t, 1, tessera_form_parse(NULL, 0, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{}") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_form_parse(STR(""), OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{}") == 0);
  text_free(&t);
  /* A parameter sent twice is invalid_request (RFC 6749 §3.1), as are bad escapes and text
   * that is not UTF-8. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("a=1&a=2"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("a=1&b=2&a=1"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("grant_type=x&grant%5Ftype=y"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("a=%zz"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST, tessera_form_parse(STR("a=%4"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("a=%ff"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_form_parse(STR("a=\xff"), OUT_ARGS));
  /* Limits: 64 parameters, 64 KiB. */
  big = (char *)malloc(70 * 1024);
  if (!big) abort();
  big[0] = '\0';
  for (int i = 0, n = 0; i < 65; i++) n += sprintf(big + n, "%sp%d=v", i ? "&" : "", i);
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOO_LARGE, tessera_form_parse(STR(big), OUT_ARGS));
  *strrchr(big, '&') = '\0'; /* 64 parameters */
  CHECK_OUT(&t, 1, tessera_form_parse(STR(big), OUT_ARGS));
  CHECK_JSTR(t, "p63", "v");
  text_free(&t);
  memset(big, 'a', 64 * 1024 + 1);
  big[0] = 'x', big[1] = '=';
  big[64 * 1024 + 1] = '\0';
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOO_LARGE, tessera_form_parse(STR(big), OUT_ARGS));
  free(big);
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_form_parse(NULL, 4, OUT_ARGS));
}

static void test_authorize_request_parse(void) {
  struct text t;
  CHECK_OUT(&t, 1,
            tessera_authorize_request_parse(
                STR("response_type=code&client_id=app&redirect_uri=" APP_REDIRECT_FORM
                    "&scope=read+write&state=xyz&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URW"
                    "buGJSstw-cM&code_challenge_method=S256&nonce=n-0S6"),
                OUT_ARGS));
  CHECK_JSTR(t, "response_type", "code");
  CHECK_JSTR(t, "client_id", "app");
  CHECK_JSTR(t, "redirect_uri", "https://app.example/cb");
  CHECK_JSTR(t, "scope", "read write");
  CHECK_JSTR(t, "state", "xyz");
  CHECK_JSTR(t, "code_challenge", PKCE_CHALLENGE);
  CHECK_JSTR(t, "code_challenge_method", "S256");
  CHECK_JSTR(t, "nonce", "n-0S6");
  text_free(&t);
  /* Absent parameters are omitted. */
  CHECK_OUT(&t, 1,
            tessera_authorize_request_parse(STR("response_type=token&client_id=a"), OUT_ARGS));
  CHECK_JSTR(t, "response_type", "token");
  CHECK(!json_has(&t, "redirect_uri") && !json_has(&t, "state"));
  text_free(&t);
  /* Syntax only, and failures are never redirected: invalid_request. */
  static const char *const bad[] = {
      "response_type=code",                          /* no client_id */
      "client_id=app",                               /* no response_type */
      "response_type=code&client_id=app&client_id=b", /* duplicate */
      "response_type=code&client_id=app&state=a%0Ab", /* not %x20-7E */
      "response_type=code&client_id=app&state=%zz",  /* bad escape */
      "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
                 tessera_authorize_request_parse(STR(bad[i]), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_authorize_request_parse(NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_authorize_request_parse(NULL, 9, OUT_ARGS));
}

/* "s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw" (RFC 6749 §2.3.1). */
#define BASIC "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"

static void test_token_request_parse(void) {
  struct text t;
  /* An authorization code redemption by a public client (client_id in the body). */
  CHECK_OUT(&t, 1,
            tessera_token_request_parse(
                STR("grant_type=authorization_code&code=tsr_ac_x&redirect_uri=" APP_REDIRECT_FORM
                    "&code_verifier=v&client_id=app"),
                NULL, OUT_ARGS));
  CHECK_JSTR(t, "request.grant_type", "authorization_code");
  CHECK_JSTR(t, "request.code", "tsr_ac_x");
  CHECK_JSTR(t, "request.redirect_uri", "https://app.example/cb");
  CHECK_JSTR(t, "request.code_verifier", "v");
  CHECK_JSTR(t, "client_auth.method", "none");
  CHECK_JSTR(t, "client_auth.client_id", "app");
  CHECK(!json_has(&t, "client_auth.client_secret"));
  text_free(&t);
  /* HTTP Basic. */
  CHECK_OUT(&t, 1,
            tessera_token_request_parse(STR("grant_type=client_credentials&scope=a+b"), BASIC,
                                        OUT_ARGS));
  CHECK_JSTR(t, "request.grant_type", "client_credentials");
  CHECK_JSTR(t, "request.scope", "a b");
  CHECK_JSTR(t, "client_auth.method", "client_secret_basic");
  CHECK_JSTR(t, "client_auth.client_id", "s6BhdRkqt3");
  CHECK_JSTR(t, "client_auth.client_secret", "7Fjfp0ZBr1KtDRbnfVdmIw");
  text_free(&t);
  /* client_secret_post, refresh. */
  CHECK_OUT(&t, 1,
            tessera_token_request_parse(
                STR("grant_type=refresh_token&refresh_token=r&scope=read&client_id=svc"
                    "&client_secret=s"),
                NULL, OUT_ARGS));
  CHECK_JSTR(t, "request.grant_type", "refresh_token");
  CHECK_JSTR(t, "request.refresh_token", "r");
  CHECK_JSTR(t, "request.scope", "read");
  CHECK_JSTR(t, "client_auth.method", "client_secret_post");
  CHECK_JSTR(t, "client_auth.client_secret", "s");
  text_free(&t);
  /* Refusals, nothing written: the OAuth code to answer with. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_token_request_parse(STR("grant_type=client_credentials&client_secret=x"),
                                           BASIC, OUT_ARGS)); /* two methods */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_token_request_parse(STR("grant_type=client_credentials"), "Bearer abc",
                                           OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_token_request_parse(STR("grant_type=client_credentials"), "Basic !!!",
                                           OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_token_request_parse(STR("grant_type=client_credentials"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE,
               tessera_token_request_parse(STR("grant_type=password&client_id=app"), NULL,
                                           OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_token_request_parse(STR("client_id=app"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_token_request_parse(STR("grant_type=authorization_code&client_id=app"),
                                           NULL, OUT_ARGS)); /* no code */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_token_request_parse(STR("grant_type=refresh_token&client_id=app"), NULL,
                                           OUT_ARGS)); /* no refresh_token */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_token_request_parse(STR("grant_type=client_credentials&client_id=a"
                                               "&client_id=a"),
                                           NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_token_request_parse(NULL, 0, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_token_request_parse(NULL, 3, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_token_request_parse(STR("grant_type=client_credentials"), "Basic \xff",
                                           OUT_ARGS));
}

static void test_revocation_and_introspection_request_parse(void) {
  struct text t;
  CHECK_OUT(&t, 1,
            tessera_revocation_request_parse(
                STR("token=abc&token_type_hint=refresh_token&client_id=app&client_secret=s"), NULL,
                OUT_ARGS));
  CHECK_JSTR(t, "request.token", "abc");
  CHECK_JSTR(t, "request.token_type_hint", "refresh_token");
  CHECK_JSTR(t, "client_auth.method", "client_secret_post");
  CHECK_JSTR(t, "client_auth.client_id", "app");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_revocation_request_parse(STR("token=abc"), BASIC, OUT_ARGS));
  CHECK_JSTR(t, "client_auth.method", "client_secret_basic");
  CHECK(!json_has(&t, "request.token_type_hint"));
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_revocation_request_parse(STR("client_id=app"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_revocation_request_parse(STR("token=a&token=b&client_id=app"), NULL,
                                                OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_revocation_request_parse(STR("token=abc"), "Bearer abc", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_revocation_request_parse(STR("token=abc"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_CLIENT,
               tessera_revocation_request_parse(NULL, 0, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_revocation_request_parse(NULL, 2, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_revocation_request_parse(STR("token=abc"), "\xff", OUT_ARGS));

  CHECK_OUT(&t, 1,
            tessera_introspection_request_parse(STR("token=abc&token_type_hint=access_token"),
                                                OUT_ARGS));
  CHECK_JSTR(t, "token", "abc");
  CHECK_JSTR(t, "token_type_hint", "access_token");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_introspection_request_parse(STR("token=abc"), OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"token\":\"abc\"}") == 0);
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_introspection_request_parse(STR("token_type_hint=x"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_introspection_request_parse(STR("token=a&token=a"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_introspection_request_parse(NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_introspection_request_parse(NULL, 1, OUT_ARGS));
}

static void test_bearer(void) {
  struct text t;
  char *big = NULL;
  CHECK_OUT(&t, 1, tessera_bearer_token("Bearer mF_9.B5f-4.1JqM", OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "mF_9.B5f-4.1JqM") == 0);
  text_free(&t);
  /* Lacking authentication: OK with nothing copied (NULL, empty, another scheme). */
  static const char *const absent[] = {NULL, "", "Basic Zm9vOmJhcg=="};
  for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
    uint8_t buf[8] = {0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5};
    size_t len = 77;
    CHECK_OK(tessera_bearer_token(absent[i], buf, sizeof buf, &len));
    CHECK(len == 0 && all_bytes(buf, sizeof buf, 0xA5));
    len = 77;
    CHECK_OK(tessera_bearer_token(absent[i], NULL, 0, &len));
    CHECK(len == 0);
    CHECK_OUT(&t, 1, tessera_bearer_token(absent[i], OUT_ARGS));
    CHECK(t.s && t.len == 0);
    text_free(&t);
  }
  /* Bearer with missing or malformed credentials: invalid_request. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST, tessera_bearer_token("Bearer", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST, tessera_bearer_token("Bearer ", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_bearer_token("Bearer a,b", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_bearer_token("Bearer a b", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8, tessera_bearer_token("Bearer \xff", OUT_ARGS));
  big = (char *)malloc(9000);
  if (!big) abort();
  memcpy(big, "Bearer ", 7);
  memset(big + 7, 'a', 9000 - 8);
  big[9000 - 1] = '\0';
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOO_LARGE, tessera_bearer_token(big, OUT_ARGS));
  free(big);

  CHECK_OUT(&t, 1, tessera_bearer_challenge("api", OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "Bearer realm=\"api\"") == 0);
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_bearer_challenge(NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8, tessera_bearer_challenge("\xff", OUT_ARGS));
}

/* RFC 9449 §7.1: the Bearer or DPoP scheme, and its token. */
static void test_access_token(void) {
  struct text t;
  bool dpop = false;
  CHECK_OUT(&t, 1, tessera_access_token("DPoP Kz~8mXK1EalY", &dpop, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "Kz~8mXK1EalY") == 0 && dpop);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_access_token("dpop   abc==", &dpop, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "abc==") == 0 && dpop);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_access_token("Bearer mF_9.B5f-4.1JqM", &dpop, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "mF_9.B5f-4.1JqM") == 0 && !dpop);
  text_free(&t);
  /* Lacking authentication: OK, nothing copied, *dpop false. */
  static const char *const absent[] = {NULL, "", "Basic Zm9vOmJhcg==", "DPoPx abc"};
  for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
    size_t len = 77;
    dpop = true;
    CHECK_OK(tessera_access_token(absent[i], &dpop, NULL, 0, &len));
    CHECK(len == 0 && !dpop);
  }
  /* Malformed DPoP or Bearer credentials: invalid_request, and *dpop untouched. */
  static const char *const bad[] = {"DPoP", "DPoP ", "DPoP a,b", "DPoP a b", "Bearer a b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t len = 77;
    dpop = true;
    CHECK(tessera_access_token(bad[i], &dpop, NULL, 0, &len) ==
          TESSERA_RESULT_OAUTH_INVALID_REQUEST);
    CHECK(len == 77 && dpop);
  }
  /* A buffer too small: only the size is written. */
  {
    uint8_t buf[2] = {0xA5, 0xA5};
    size_t len = 0;
    dpop = false;
    CHECK(tessera_access_token("DPoP abcdef", &dpop, buf, sizeof buf, &len) ==
          TESSERA_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 6 && !dpop && all_bytes(buf, sizeof buf, 0xA5));
  }
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_access_token("DPoP x", NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8, tessera_access_token("DPoP \xff", &dpop, OUT_ARGS));
  /* bearer_token is unchanged: DPoP is another scheme to it. */
  CHECK_OUT(&t, 1, tessera_bearer_token("DPoP abc", OUT_ARGS));
  CHECK(t.s && t.len == 0);
  text_free(&t);
}

static void test_error_response(void) {
  struct text t;
  char long_description[1001];
  CHECK_OUT(&t, 1,
            tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_CLIENT, "unknown client", "as",
                                   OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_JSTR(t, "body.error", "invalid_client");
  CHECK_JSTR(t, "body.error_description", "unknown client");
  CHECK_HAS(t, "[\"Content-Type\",\"application/json;charset=UTF-8\"]");
  CHECK_HAS(t, "[\"Cache-Control\",\"no-store\"]");
  CHECK_HAS(t, "[\"Pragma\",\"no-cache\"]");
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"Basic realm=\\\"as\\\"\"]");
  text_free(&t);
  /* Every 401 carries a challenge (RFC 9110 §15.5.2): without a realm there is none to give. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_CLIENT, NULL, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_TOKEN, NULL, NULL, OUT_ARGS));
  CHECK_OUT(&t, 1,
            tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_CLIENT, NULL, "as", OUT_ARGS));
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"Basic realm=\\\"as\\\"\"]");
  CHECK(!json_has(&t, "body.error_description"));
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_TOKEN, NULL, "as", OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"Bearer realm=\\\"as\\\", error=\\\"invalid_token\\\"\"]");
  text_free(&t);
  /* Codes outside the OAuth block are mapped; a realm adds nothing to other errors. */
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_PKCE_MISMATCH, NULL, "as", OUT_ARGS));
  CHECK_JRAW(t, "status", "400");
  CHECK_JRAW(t, "body", "{\"error\":\"invalid_grant\"}");
  CHECK_JRAW(t, "headers.2.0", "\"Pragma\"");
  CHECK(!json_has(&t, "headers.3"));
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE, NULL, NULL,
                                          OUT_ARGS));
  CHECK_JSTR(t, "body.error", "unsupported_grant_type");
  text_free(&t);
  /* Internal errors are server_error, and their description is not sent. */
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_PANIC, NULL, NULL, OUT_ARGS));
  CHECK_JRAW(t, "status", "500");
  CHECK_JRAW(t, "body", "{\"error\":\"server_error\"}");
  text_free(&t);
  /* ...mapped as tessera::wire::token_error_for documents. */
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_TOO_LARGE, NULL, NULL, OUT_ARGS));
  CHECK_JSTR(t, "body.error", "invalid_request");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_SCOPE_NOT_GRANTED, NULL, NULL, OUT_ARGS));
  CHECK_JSTR(t, "body.error", "invalid_scope");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_TOKEN_CHECKSUM, NULL, NULL, OUT_ARGS));
  CHECK_JSTR(t, "body.error", "invalid_grant");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_WEAK_KEY, NULL, NULL, OUT_ARGS));
  CHECK_JSTR(t, "body.error", "server_error");
  text_free(&t);
  /* Descriptions are sanitized to %x20-21 / %x23-5B / %x5D-7E and cut to 256 bytes. */
  CHECK_OUT(&t, 1,
            tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_GRANT,
                                   "bad \"quote\"\\ and\nnewline caf\xc3\xa9", NULL, OUT_ARGS));
  {
    struct text d = json_str(&t, "body.error_description");
    CHECK(d.s && d.len > 0 && !strchr(d.s, '"') && !strchr(d.s, '\\') && !strchr(d.s, '\n'));
    for (size_t i = 0; d.s && i < d.len; i++) CHECK(d.s[i] >= 0x20 && d.s[i] <= 0x7e);
    text_free(&d);
  }
  text_free(&t);
  memset(long_description, 'a', 1000);
  long_description[1000] = '\0';
  CHECK_OUT(&t, 1,
            tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_GRANT, long_description, NULL,
                                   OUT_ARGS));
  {
    struct text d = json_str(&t, "body.error_description");
    CHECK(d.s && d.len > 0 && d.len <= 256);
    text_free(&d);
  }
  text_free(&t);
  /* Not an error code. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_error_response(0, NULL, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_error_response(9999, NULL, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_error_response(UINT32_MAX, NULL, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_GRANT, "\xff", NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_error_response(TESSERA_RESULT_OAUTH_INVALID_CLIENT, NULL, "\xff", OUT_ARGS));
}

static void test_resource_error_response(void) {
  struct text t;
  CHECK_OUT(&t, 1,
            tessera_resource_error_response(TESSERA_RESULT_EXPIRED, NULL, "api", NULL, OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_JRAW(t, "body", "{\"error\":\"invalid_token\"}");
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"Bearer realm=\\\"api\\\", error=\\\"invalid_token\\\"\"]");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response(TESSERA_RESULT_INVALID_SIGNATURE, "bad token", "api",
                                            NULL, OUT_ARGS));
  CHECK_JSTR(t, "body.error", "invalid_token");
  CHECK_HAS(t, "error_description=\\\"bad token\\\"");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response(TESSERA_RESULT_SCOPE_NOT_GRANTED, NULL, "api",
                                            "job:write", OUT_ARGS));
  CHECK_JRAW(t, "status", "403");
  CHECK_JSTR(t, "body.error", "insufficient_scope");
  CHECK_HAS(t,
            "Bearer realm=\\\"api\\\", error=\\\"insufficient_scope\\\", scope=\\\"job:write\\\"");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response(TESSERA_RESULT_OAUTH_INVALID_REQUEST, NULL, "api",
                                            NULL, OUT_ARGS));
  CHECK_JRAW(t, "status", "400");
  CHECK_JSTR(t, "body.error", "invalid_request");
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_resource_error_response(TESSERA_RESULT_EXPIRED, NULL, NULL, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_resource_error_response(0, NULL, "api", NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_resource_error_response(4242, NULL, "api", NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_resource_error_response(TESSERA_RESULT_EXPIRED, NULL, "api", "\xff",
                                               OUT_ARGS));
}

/* RFC 9449 §7.1, §9: the DPoP challenge, DPoP before Bearer, 401 for DPoP errors. */
static void test_dpop_challenge(void) {
  struct text t;
  CHECK_OUT(&t, 1, tessera_dpop_challenge("api", "ES256 PS256", true, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "DPoP realm=\"api\", algs=\"ES256 PS256\", Bearer realm=\"api\"") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_dpop_challenge(NULL, "ES256", false, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "DPoP algs=\"ES256\"") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_dpop_challenge("a\"b", NULL, false, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "DPoP realm=\"a\\\"b\"") == 0);
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_dpop_challenge(NULL, "ES256", true, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_dpop_challenge("api", "HS256", false, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED_ALGORITHM,
               tessera_dpop_challenge("api", "ES256 none", false, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_dpop_challenge("\xff", NULL, false, OUT_ARGS));

  CHECK_OUT(&t, 1,
            tessera_resource_error_response_dpop(TESSERA_RESULT_DPOP_SIGNATURE, "bad proof", "api",
                                                 NULL, "ES256", true, OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_JSTR(t, "body.error", "invalid_dpop_proof");
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"DPoP realm=\\\"api\\\", error=\\\"invalid_dpop_proof\\\", "
               "error_description=\\\"bad proof\\\", algs=\\\"ES256\\\", Bearer realm=\\\"api\\\"\"]");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response_dpop(TESSERA_RESULT_DPOP_NONCE_REQUIRED, NULL, NULL,
                                                 NULL, NULL, false, OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_JSTR(t, "body.error", "use_dpop_nonce");
  CHECK_HAS(t, "[\"WWW-Authenticate\",\"DPoP error=\\\"use_dpop_nonce\\\"\"]");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response_dpop(TESSERA_RESULT_EXPIRED, NULL, "api", NULL,
                                                 "ES256", true, OUT_ARGS));
  CHECK_JRAW(t, "status", "401");
  CHECK_HAS(t, "DPoP realm=\\\"api\\\", error=\\\"invalid_token\\\", algs=\\\"ES256\\\", "
               "Bearer realm=\\\"api\\\", error=\\\"invalid_token\\\"");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_resource_error_response_dpop(TESSERA_RESULT_SCOPE_NOT_GRANTED, NULL, "api",
                                                 "write", NULL, true, OUT_ARGS));
  CHECK_JRAW(t, "status", "403");
  CHECK_HAS(t, "DPoP realm=\\\"api\\\", error=\\\"insufficient_scope\\\", scope=\\\"write\\\", "
               "Bearer realm=\\\"api\\\", error=\\\"insufficient_scope\\\", scope=\\\"write\\\"");
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_resource_error_response_dpop(TESSERA_RESULT_DPOP_ATH, NULL, NULL, NULL,
                                                    NULL, true, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_resource_error_response_dpop(0, NULL, "api", NULL, NULL, true, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED_ALGORITHM,
               tessera_resource_error_response_dpop(TESSERA_RESULT_DPOP_ATH, NULL, "api", NULL,
                                                    "XX", true, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_resource_error_response_dpop(TESSERA_RESULT_DPOP_ATH, "\xff", "api", NULL,
                                                    NULL, true, OUT_ARGS));
  /* The token endpoint answers DPoP errors with 400 and no challenge. */
  CHECK_OUT(&t, 1, tessera_error_response(TESSERA_RESULT_DPOP_PROOF_REQUIRED, NULL, "as", OUT_ARGS));
  CHECK_JRAW(t, "status", "400");
  CHECK_JSTR(t, "body.error", "invalid_dpop_proof");
  CHECK(!has(t.s, t.len, "WWW-Authenticate"));
  text_free(&t);
}

static void test_redirect_uri(void) {
  struct text t;
  bool yes = false;
  /* Parameters in the object's order, appended to the query the base already has. */
  CHECK_OUT(&t, 1,
            tessera_redirect_uri("https://c.example/cb?t=7",
                                 STR("{\"state\":\"x y&z\",\"code\":\"c\"}"), NULL, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "https://c.example/cb?t=7&state=x+y%26z&code=c") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_redirect_uri("https://c.example/cb", STR("{\"code\":\"c\"}"), "query",
                                 OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "https://c.example/cb?code=c") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_redirect_uri("https://c.example/cb", STR("{\"access_token\":\"a\"}"),
                                 "fragment", OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "https://c.example/cb#access_token=a") == 0);
  text_free(&t);
  /* (NULL, 0) and {} leave the base unchanged. */
  CHECK_OUT(&t, 1, tessera_redirect_uri("https://c.example/cb?t=7", NULL, 0, NULL, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "https://c.example/cb?t=7") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_redirect_uri("https://c.example/cb", STR("{}"), "fragment", OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "https://c.example/cb") == 0);
  text_free(&t);
  /* Errors. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_redirect_uri("https://c.example/cb", STR("{\"a\":\"1\",\"a\":\"2\"}"), NULL,
                                    OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_redirect_uri("https://c.example/cb", STR("{\"a\":1}"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_redirect_uri("https://c.example/cb", STR("[\"a\"]"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_redirect_uri("https://c.example/cb", STR("{"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_redirect_uri("https://c.example/cb#f", STR("{}"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_redirect_uri("/cb", STR("{}"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_redirect_uri("https://c.example/cb", STR("{}"), "form_post", OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_redirect_uri(NULL, STR("{}"), NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_redirect_uri("https://c.example/cb", NULL, 2, NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_redirect_uri("https://c.example/\xff", STR("{}"), NULL, OUT_ARGS));

  /* Exact comparison; only the port of an http loopback IP literal is ignored. */
  CHECK_OK(tessera_redirect_uri_matches("https://a.example/cb", "https://a.example/cb", &yes));
  CHECK(yes);
  CHECK_OK(tessera_redirect_uri_matches("https://a.example/cb", "https://a.example/cb/", &yes));
  CHECK(!yes);
  CHECK_OK(tessera_redirect_uri_matches("https://a.example/cb", "https://A.example/cb", &yes));
  CHECK(!yes);
  CHECK_OK(tessera_redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb", &yes));
  CHECK(yes);
  CHECK_OK(tessera_redirect_uri_matches("http://[::1]:80/cb", "http://[::1]:61000/cb", &yes));
  CHECK(yes);
  CHECK_OK(tessera_redirect_uri_matches("http://localhost/cb", "http://localhost:5000/cb", &yes));
  CHECK(!yes);
  CHECK_OK(tessera_redirect_uri_matches("https://a.example/cb", "https://a.example/cb#x", &yes));
  CHECK(!yes);
  CHECK_OK(tessera_redirect_uri_matches("/cb", "/cb", &yes));
  CHECK(!yes);
  yes = true;
  CHECK_RC(tessera_redirect_uri_matches(NULL, "https://a.example/cb", &yes),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_redirect_uri_matches("https://a.example/cb", NULL, &yes),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_redirect_uri_matches("https://a.example/cb", "https://a.example/cb", NULL),
           TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_redirect_uri_matches("https://a.example/cb", "\xff", &yes),
           TESSERA_RESULT_INVALID_UTF8);
  CHECK(yes);
}

static void test_server_metadata(void) {
  struct text t;
  CHECK_OUT(&t, 1,
            tessera_server_metadata(
                STR("{\"response_types_supported\":[\"code\"],\"scopes_supported\":[],"
                    "\"issuer\":\"https://as.example\",\"x\":1,"
                    "\"token_endpoint\":\"http://127.0.0.1:8080/token\","
                    "\"jwks_uri\":\"https://as.example/jwks\"}"),
                OUT_ARGS));
  CHECK(t.s && strncmp(t.s, "{\"issuer\":\"https://as.example\"", 30) == 0); /* standard first */
  CHECK_JSTR(t, "token_endpoint", "http://127.0.0.1:8080/token");
  CHECK_JSTR(t, "jwks_uri", "https://as.example/jwks");
  CHECK_JRAW(t, "response_types_supported", "[\"code\"]");
  CHECK_JRAW(t, "x", "1");
  CHECK(!json_has(&t, "scopes_supported")); /* empty lists dropped */
  text_free(&t);
  static const struct {
    const char *json;
    tessera_result want;
  } bad[] = {
      {"{\"issuer\":\"http://as.example\",\"response_types_supported\":[\"code\"]}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example?x=1\",\"response_types_supported\":[\"code\"]}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example\"}", TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example\",\"response_types_supported\":[]}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example\",\"response_types_supported\":[\"code\"],"
       "\"token_endpoint\":\"https://as.example/t#f\"}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example\",\"response_types_supported\":[\"code\"],"
       "\"jwks_uri\":\"http://as.example/jwks\"}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":7}", TESSERA_RESULT_INVALID_JSON},
      {"{\"issuer\":\"https://as.example\",\"response_types_supported\":\"code\"}",
       TESSERA_RESULT_INVALID_JSON},
      {"{", TESSERA_RESULT_INVALID_JSON},
      {"", TESSERA_RESULT_INVALID_JSON},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unsigned long before = harness_failures;
    CHECK_OUT_RC(&t, bad[i].want, tessera_server_metadata(STR(bad[i].json), OUT_ARGS));
    if (harness_failures != before) fprintf(stderr, "  metadata %s\n", bad[i].json);
  }
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON, tessera_server_metadata(NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_server_metadata(NULL, 2, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_server_metadata(STR("{\"x\":\"\xff\"}"), OUT_ARGS));
}

/* RFC 8414 §3.1: the well-known string goes between the host and the path, which is kept byte
 * for byte (a trailing slash included); a root issuer gets the bare well-known path. */
/* RFC 9449 §5.1 and RFC 8705 §3.3 members. */
static void test_server_metadata_sender_constraints(void) {
  struct text t;
  CHECK_OUT(&t, 1,
            tessera_server_metadata(
                STR("{\"tls_client_certificate_bound_access_tokens\":true,"
                    "\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\"],"
                    "\"response_types_supported\":[\"code\"],\"issuer\":\"https://as.example\"}"),
                OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"issuer\":\"https://as.example\",\"response_types_supported\":"
                           "[\"code\"],\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\"],"
                           "\"tls_client_certificate_bound_access_tokens\":true}") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_server_metadata(
                STR("{\"tls_client_certificate_bound_access_tokens\":false,"
                    "\"response_types_supported\":[\"code\"],\"issuer\":\"https://as.example\"}"),
                OUT_ARGS));
  CHECK(t.s && !has(t.s, t.len, "tls_client"));
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_server_metadata(
                   STR("{\"dpop_signing_alg_values_supported\":[\"HS256\"],"
                       "\"response_types_supported\":[\"code\"],\"issuer\":\"https://as.example\"}"),
                   OUT_ARGS));
}

static void test_server_metadata_url(void) {
  static const struct {
    const char *issuer, *url;
  } good[] = {
      {"https://as.example", "https://as.example/.well-known/oauth-authorization-server"},
      {"https://as.example/", "https://as.example/.well-known/oauth-authorization-server"},
      {"http://127.0.0.1:8000/tenant",
       "http://127.0.0.1:8000/.well-known/oauth-authorization-server/tenant"},
      {"http://127.0.0.1:8000/tenants/beta/",
       "http://127.0.0.1:8000/.well-known/oauth-authorization-server/tenants/beta/"},
  };
  struct text t;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    CHECK_OUT(&t, 1, tessera_server_metadata_url(good[i].issuer, OUT_ARGS));
    CHECK(t.s && strcmp(t.s, good[i].url) == 0);
    text_free(&t);
  }
  static const char *const bad[] = {"http://as.example/t", "https://as.example/t?x",
                                    "https://as.example/t#f", "as.example", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT, tessera_server_metadata_url(bad[i], OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER, tessera_server_metadata_url(NULL, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_server_metadata_url("https://as.example/\xff", OUT_ARGS));
}

/* ---- the grant issuer --------------------------------------------------------------------- */

/* A malloc'd printf. */
static char *fmt(const char *format, ...) {
  va_list ap, ap2;
  int n;
  char *s;
  va_start(ap, format);
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (n < 0 || !(s = (char *)malloc((size_t)n + 1))) abort();
  vsnprintf(s, (size_t)n + 1, format, ap2);
  va_end(ap2);
  return s;
}

/* The raw authorization request JSON of the app for `challenge` (NULL: without PKCE). */
static struct text app_request(const char *scope, const char *challenge) {
  struct text t;
  char *query = fmt("response_type=code&client_id=app&redirect_uri=" APP_REDIRECT_FMT
                    "&scope=%s&state=xyz%s%s%s",
                    scope, challenge ? "&code_challenge=" : "", challenge ? challenge : "",
                    challenge ? "&code_challenge_method=S256" : "");
  CALL_OUT(&t, tessera_authorize_request_parse(STR(query), PLAIN_ARGS));
  free(query);
  return t;
}

/* A family that went through authorize and the code exchange: its state and tokens. */
struct family {
  struct text state, access, refresh, family_id, code, verifier;
};

static void family_free(struct family *f) {
  text_free(&f->state);
  text_free(&f->access);
  text_free(&f->refresh);
  text_free(&f->family_id);
  text_free(&f->code);
  text_free(&f->verifier);
}

static char *code_body(const struct family *f) {
  return fmt("grant_type=authorization_code&code=%s&code_verifier=%s&client_id=app"
             "&redirect_uri=" APP_REDIRECT_FMT,
             f->code.s, f->verifier.s);
}

static int obtain_family(const struct as *a, struct family *f) {
  struct text challenge, request, granted, location, redeemed;
  char *body;
  memset(f, 0, sizeof *f);
  CALL_OUT(&f->verifier, tessera_pkce_verifier_new(PLAIN_ARGS));
  if (!f->verifier.s) return 0;
  CALL_OUT(&challenge, tessera_pkce_challenge(STR(f->verifier.s), PLAIN_ARGS));
  request = app_request("read", challenge.s);
  CALL_OUT(&granted, tessera_issuer_authorize(a->issuer, STR(APP), STR(request.s), "user-42", NOW,
                                              PLAIN_ARGS));
  location = json_str(&granted, "redirect.location");
  f->code = location.s ? query_param(location.s, "code") : location;
  f->state = json_raw(&granted, "state");
  body = f->code.s ? code_body(f) : NULL;
  redeemed = body && f->state.s ? token_endpoint(a, APP, f->state.s, body, NULL, NOW + 5)
                                : (struct text){NULL, 0};
  text_free(&f->state);
  f->state = json_raw(&redeemed, "state");
  f->access = json_str(&redeemed, "response.access_token");
  f->refresh = json_str(&redeemed, "response.refresh_token");
  f->family_id = json_str(&redeemed, "state.family_id");
  free(body);
  text_free(&redeemed);
  text_free(&location);
  text_free(&granted);
  text_free(&request);
  text_free(&challenge);
  return f->state.s && f->access.s && f->refresh.s && f->family_id.s;
}

/* RFC 9449 §5, §6.1, §10: tokens bound to a DPoP key through tessera_issuer_token_bound. */
static struct text token_endpoint_bound(const struct as *a, const char *client, const char *state,
                                        const char *body, const char *cnf, int64_t now) {
  struct text parsed, auth, request, out = {NULL, 0};
  CALL_OUT(&parsed, tessera_token_request_parse(STR(body), NULL, PLAIN_ARGS));
  auth = json_raw(&parsed, "client_auth");
  request = json_raw(&parsed, "request");
  if (auth.s && request.s)
    CHECK_OUT(&out, 0,
              tessera_issuer_token_bound(
                  a->issuer, (const uint8_t *)client, client ? strlen(client) : 0, STR(auth.s),
                  (const uint8_t *)state, state ? strlen(state) : 0, STR(request.s),
                  (const uint8_t *)cnf, cnf ? strlen(cnf) : 0, now, OUT_ARGS));
  text_free(&parsed);
  text_free(&auth);
  text_free(&request);
  return out;
}

#define JKT "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
#define CNF "{\"jkt\":\"" JKT "\"}"
#define OTHER_CNF "{\"jkt\":\"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\"}"

static void test_dpop_bound_tokens(void) {
  struct as a;
  struct text request = {0}, granted = {0}, location = {0}, code = {0}, state = {0};
  struct text redeemed = {0}, refused = {0}, access = {0}, refresh = {0}, info = {0}, t = {0};
  struct text state2 = {0}, rotated = {0};
  char *query = NULL, *body = NULL, *refresh_body = NULL;
  REQUIRE_AS(&a);
  query = fmt("response_type=code&client_id=app&redirect_uri=" APP_REDIRECT_FMT
              "&scope=read&code_challenge=%s&code_challenge_method=S256&dpop_jkt=" JKT,
              PKCE_CHALLENGE);
  CALL_OUT(&request, tessera_authorize_request_parse(STR(query), PLAIN_ARGS));
  CHECK_JSTR(request, "dpop_jkt", JKT);
  free(query);
  query = fmt("response_type=code&client_id=app&dpop_jkt=tooshort");
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_REQUEST,
               tessera_authorize_request_parse(STR(query), OUT_ARGS));
  CALL_OUT(&granted, tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "user-42", NOW,
                                              PLAIN_ARGS));
  CHECK_JSTR(granted, "state.code.dpop_jkt", JKT);
  location = json_str(&granted, "redirect.location");
  code = location.s ? query_param(location.s, "code") : location;
  state = json_raw(&granted, "state");
  if (!code.s || !state.s) goto done;
  body = fmt("grant_type=authorization_code&code=%s&code_verifier=%s&client_id=app"
             "&redirect_uri=" APP_REDIRECT_FMT,
             code.s, PKCE_VERIFIER);

  /* A malformed binding is an argument error. */
  {
    struct text parsed, auth, req;
    CALL_OUT(&parsed, tessera_token_request_parse(STR(body), NULL, PLAIN_ARGS));
    auth = json_raw(&parsed, "client_auth");
    req = json_raw(&parsed, "request");
    CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
                 tessera_issuer_token_bound(a.issuer, STR(APP), STR(auth.s), STR(state.s),
                                            STR(req.s), STR("{\"jkt\":\"x\"}"), NOW, OUT_ARGS));
    CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
                 tessera_issuer_token_bound(a.issuer, STR(APP), STR(auth.s), STR(state.s),
                                            STR(req.s), NULL, 5, NOW, OUT_ARGS));
    text_free(&parsed);
    text_free(&auth);
    text_free(&req);
  }
  /* Another key: invalid_grant, and the code is burned. */
  refused = token_endpoint_bound(&a, APP, state.s, body, OTHER_CNF, NOW + 5);
  CHECK_JRAW(refused, "ok", "false");
  CHECK_JSTR(refused, "error.error", "invalid_grant");
  CHECK_JSTR(refused, "state.code.status", "revoked");
  text_free(&refused);
  /* No key (the unbound call): refused too. */
  refused = token_endpoint(&a, APP, state.s, body, NULL, NOW + 5);
  CHECK_JSTR(refused, "error.error", "invalid_grant");
  text_free(&refused);
  /* The key of dpop_jkt: a DPoP token with cnf, and the family bound to the key. */
  redeemed = token_endpoint_bound(&a, APP, state.s, body, CNF, NOW + 5);
  CHECK_JRAW(redeemed, "ok", "true");
  CHECK_JSTR(redeemed, "response.token_type", "DPoP");
  CHECK_JSTR(redeemed, "state.dpop_jkt", JKT);
  access = json_str(&redeemed, "response.access_token");
  refresh = json_str(&redeemed, "response.refresh_token");
  state2 = json_raw(&redeemed, "state");
  if (!access.s || !refresh.s || !state2.s) goto done;
  CHECK_OUT(&info, 1,
            tessera_issuer_introspect(a.issuer, STR(state2.s), STR(access.s), NOW + 6, OUT_ARGS));
  CHECK_JRAW(info, "active", "true");
  CHECK_JSTR(info, "token_type", "DPoP");
  CHECK_JSTR(info, "cnf.jkt", JKT);
  /* The public client's refresh token needs the key: without it, invalid_grant, no change. */
  refresh_body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=app", refresh.s);
  refused = token_endpoint(&a, APP, state2.s, refresh_body, NULL, NOW + 7);
  CHECK_JSTR(refused, "error.error", "invalid_grant");
  CHECK_JRAW(refused, "state", "null");
  CHECK_JRAW(refused, "effects", "[]");
  text_free(&refused);
  refused = token_endpoint_bound(&a, APP, state2.s, refresh_body, OTHER_CNF, NOW + 7);
  CHECK_JSTR(refused, "error.error", "invalid_grant");
  CHECK_JRAW(refused, "state", "null");
  text_free(&refused);
  rotated = token_endpoint_bound(&a, APP, state2.s, refresh_body, CNF, NOW + 7);
  CHECK_JRAW(rotated, "ok", "true");
  CHECK_JSTR(rotated, "response.token_type", "DPoP");

  /* A client registered with dpop_bound_access_tokens needs a proof: invalid_dpop_proof. */
  {
    static const char SVC[] =
        "{\"client_id\":\"app\",\"kind\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
        "\"allowed_scope\":\"read write\",\"grant_types\":[\"authorization_code\","
        "\"refresh_token\"],\"dpop_bound_access_tokens\":true}";
    refused = token_endpoint(&a, SVC, state2.s, refresh_body, NULL, NOW + 8);
    CHECK_JRAW(refused, "ok", "false");
    CHECK_JSTR(refused, "error.error", "invalid_dpop_proof");
    CHECK_JSTR(refused, "error.name", "dpop_proof_required");
    CHECK_JRAW(refused, "error.status", "400");
    CHECK_JRAW(refused, "state", "null");
    text_free(&refused);
  }
done:
  free(query);
  free(body);
  free(refresh_body);
  text_free(&request);
  text_free(&granted);
  text_free(&location);
  text_free(&code);
  text_free(&state);
  text_free(&redeemed);
  text_free(&access);
  text_free(&refresh);
  text_free(&info);
  text_free(&state2);
  text_free(&rotated);
  as_free(&a);
}

static void test_issuer_new(void) {
  struct as a;
  tessera_issuer *out = (tessera_issuer *)SENTINEL, *hs_issuer = NULL;
  tessera_key *hs = NULL;
  tessera_scopes *not_a_handle = scopes("a");
  const tessera_key *wrong_key = (const tessera_key *)(const void *)not_a_handle;
  const tessera_peppers *wrong_peppers = (const tessera_peppers *)(const void *)not_a_handle;
  REQUIRE_AS(&a);
  static const struct {
    const char *json;
    tessera_result want;
  } bad[] = {
      {"{\"issuer\":\"https://as.example\",\"audiences\":[\"api\"],\"surprise\":1}",
       TESSERA_RESULT_INVALID_JSON},
      {"{\"issuer\":\"https://as.example\"}", TESSERA_RESULT_INVALID_JSON},
      {"{\"issuer\":\"https://as.example\",\"audiences\":\"api\"}", TESSERA_RESULT_INVALID_JSON},
      {"{\"issuer\":\"https://as.example\",\"audiences\":[\"api\"],\"code_lifetime\":0}",
       TESSERA_RESULT_INVALID_ARGUMENT},
      {"{\"issuer\":\"https://as.example\",\"audiences\":[\"api\"],"
       "\"implications\":{\"superscopes\":[\"a b\"]}}",
       TESSERA_RESULT_INVALID_SCOPE},
      {"{", TESSERA_RESULT_INVALID_JSON},
      {"", TESSERA_RESULT_INVALID_JSON},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unsigned long before = harness_failures;
    CHECK_RC(tessera_issuer_new(STR(bad[i].json), a.key, a.peppers, &out), bad[i].want);
    if (harness_failures != before) fprintf(stderr, "  policy %s\n", bad[i].json);
  }
  CHECK_RC(tessera_issuer_new(NULL, 0, a.key, a.peppers, &out), TESSERA_RESULT_INVALID_JSON);
  CHECK_RC(tessera_issuer_new(NULL, 3, a.key, a.peppers, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_issuer_new(STR("{\"issuer\":\"\xff\"}"), a.key, a.peppers, &out),
           TESSERA_RESULT_INVALID_UTF8);
  CHECK_RC(tessera_issuer_new(STR(POLICY), a.public_key, a.peppers, &out),
           TESSERA_RESULT_NOT_PRIVATE_KEY);
  CHECK_RC(tessera_issuer_new(STR(POLICY), NULL, a.peppers, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_issuer_new(STR(POLICY), a.key, NULL, &out), TESSERA_RESULT_NULL_POINTER);
  CHECK_RC(tessera_issuer_new(STR(POLICY), wrong_key, a.peppers, &out),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK_RC(tessera_issuer_new(STR(POLICY), a.key, wrong_peppers, &out),
           TESSERA_RESULT_WRONG_HANDLE);
  CHECK(out == (tessera_issuer *)SENTINEL);
  CHECK_RC(tessera_issuer_new(STR(POLICY), a.key, a.peppers, NULL), TESSERA_RESULT_NULL_POINTER);

  /* An HMAC key signs access tokens too. */
  if (tessera_key_generate("HS256", &hs) == TESSERA_RESULT_OK) {
    struct text minted;
    CHECK_OK(tessera_issuer_new(STR(POLICY), hs, a.peppers, &hs_issuer));
    CALL_OUT(&minted, tessera_issuer_engine_token(hs_issuer, "read", "read", "t", "e", NOW,
                                                  PLAIN_ARGS));
    CHECK_HAS(minted, "\"token\":\"eyJ");
    text_free(&minted);
  }
  tessera_key_free(hs);

  /* The issuer copied key and peppers: it outlives the caller's handles. */
  tessera_key_free(a.key);
  tessera_peppers_free(a.peppers);
  a.key = NULL;
  a.peppers = NULL;
  {
    struct family f;
    CHECK(obtain_family(&a, &f));
    family_free(&f);
  }

  /* The wrong free function ignores an issuer; _free(NULL) is a no-op. */
  tessera_key_free((tessera_key *)(void *)a.issuer);
  tessera_peppers_free((tessera_peppers *)(void *)a.issuer);
  tessera_issuer_free((tessera_issuer *)(void *)not_a_handle);
  tessera_issuer_free(NULL);
  {
    struct text minted;
    CALL_OUT(&minted, tessera_issuer_engine_token(a.issuer, "read", "read", "t", "e", NOW,
                                                  PLAIN_ARGS));
    CHECK(minted.s != NULL);
    text_free(&minted);
  }
  tessera_issuer_free(hs_issuer);
  tessera_scopes_free(not_a_handle);
  as_free(&a);
}

static void test_client_secret_hash(void) {
  struct as a;
  struct text hash, lookup, t;
  tessera_scopes *not_peppers = scopes("a");
  REQUIRE_AS(&a);
  /* The lookup hash of the secret under the current pepper (deterministic). */
  CHECK_OUT(&hash, 1, tessera_client_secret_hash(a.peppers, STR("s3cret-value"), OUT_ARGS));
  CALL_OUT(&lookup, tessera_peppers_lookup(a.peppers, STR("s3cret-value"), PLAIN_ARGS));
  CHECK(hash.s && lookup.s && strncmp(hash.s, "p1:", 3) == 0 && strcmp(hash.s, lookup.s) == 0);
  CHECK_OK(tessera_peppers_verify(a.peppers, STR("s3cret-value"), STR(hash.s ? hash.s : "")));
  text_free(&lookup);
  text_free(&hash);
  CHECK_OUT(&hash, 1, tessera_client_secret_hash(a.peppers, STR(" ~!"), OUT_ARGS)); /* %x20-7E */
  text_free(&hash);
  /* Only non-empty %x20-7E text. */
  static const char *const bad[] = {"a\nb", "tab\there", "caf\xc3\xa9", "\x7f", "\xff"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
                 tessera_client_secret_hash(a.peppers, STR(bad[i]), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_client_secret_hash(a.peppers, NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_client_secret_hash(a.peppers, NULL, 4, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_client_secret_hash(NULL, STR("x"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_client_secret_hash((const tessera_peppers *)(void *)not_peppers, STR("x"),
                                          OUT_ARGS));
  tessera_scopes_free(not_peppers);
  as_free(&a);
}

static void test_authorization_code_flow(void) {
  struct as a;
  struct text verifier = {0}, challenge = {0}, request = {0}, checked = {0}, granted = {0};
  struct text location = {0}, code = {0}, param = {0}, state1 = {0}, family_id = {0};
  struct text index_lookup = {0}, t = {0}, located = {0}, redeemed = {0}, state2 = {0};
  struct text access = {0}, refresh = {0}, claims = {0}, rotated = {0}, state3 = {0};
  struct text access2 = {0}, refresh2 = {0}, replay = {0}, state4 = {0}, old_jti = {0};
  tessera_verifier *v = NULL;
  tessera_verified *verified = NULL;
  tessera_scopes *granted_scopes = NULL, *read = scopes("read");
  char *body = NULL, *refresh_body = NULL;
  REQUIRE_AS(&a);

  /* 1. The client's PKCE pair and authorization request. */
  CALL_OUT(&verifier, tessera_pkce_verifier_new(PLAIN_ARGS));
  if (!verifier.s) goto done;
  CALL_OUT(&challenge, tessera_pkce_challenge(STR(verifier.s), PLAIN_ARGS));
  request = app_request("read", challenge.s);
  if (!request.s) goto done;
  CHECK_JSTR(request, "code_challenge", challenge.s);

  /* 2. Before the consent page: the scope to show. */
  CHECK_OUT(&checked, 1,
            tessera_issuer_check_authorize(a.issuer, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_JSTR(checked, "outcome", "ok");
  CHECK_JSTR(checked, "scope", "read");
  CHECK_JRAW(checked, "error", "null");
  CHECK_JRAW(checked, "redirect", "null");
  CHECK_JRAW(checked, "state", "null");
  CHECK_JRAW(checked, "effects", "[]");

  /* 3. The user approved: a new family (version 1), an index effect for the code, and a
   *    redirect carrying code, state and iss. Minted: each retry is a fresh code. */
  CHECK_OUT(&granted, 0,
            tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "user-42", NOW, OUT_ARGS));
  CHECK_JSTR(granted, "outcome", "granted");
  CHECK_JRAW(granted, "error", "null");
  CHECK_JSTR(granted, "redirect.mode", "query");
  CHECK_JSTR(granted, "redirect.redirect_uri", "https://app.example/cb");
  CHECK_JRAW(granted, "state.v", "1");
  CHECK_JRAW(granted, "state.version", "1");
  CHECK_JSTR(granted, "state.kind", "authorization_code");
  CHECK_JSTR(granted, "effects.0.effect", "index");
  CHECK_JSTR(granted, "effects.0.kind", "ac");
  CHECK(!json_has(&granted, "effects.1"));
  family_id = json_str(&granted, "state.family_id");
  CHECK(family_id.s && family_id.len == 22);
  CHECK_JSTR(granted, "effects.0.family_id", family_id.s ? family_id.s : "?");
  location = json_str(&granted, "redirect.location");
  if (!location.s) goto done;
  CHECK(strncmp(location.s, "https://app.example/cb?", 23) == 0);
  param = query_param(location.s, "state");
  CHECK(param.s && strcmp(param.s, "xyz") == 0);
  text_free(&param);
  param = query_param(location.s, "iss");
  CHECK(param.s && strcmp(param.s, "https%3A%2F%2Fas.example") == 0);
  text_free(&param);
  code = query_param(location.s, "code");
  if (!code.s) goto done;
  state1 = json_raw(&granted, "state");

  /* The code is an opaque "ac" token, and the index effect holds its lookup hash under the
   * issuer's pepper: what tessera_peppers_lookup computes, and what locate finds. */
  CALL_OUT(&t, tessera_token_check("tsr", STR(code.s), "ac", PLAIN_ARGS));
  CHECK(t.s && strcmp(t.s, "ac") == 0);
  text_free(&t);
  index_lookup = json_str(&granted, "effects.0.lookup");
  CALL_OUT(&t, tessera_peppers_lookup(a.peppers, STR(code.s), PLAIN_ARGS));
  CHECK(t.s && index_lookup.s && strcmp(t.s, index_lookup.s) == 0);
  text_free(&t);
  CHECK_OUT(&located, 1, tessera_issuer_locate(a.issuer, STR(code.s), NOW + 1, OUT_ARGS));
  CHECK_JSTR(located, "locator", "lookup");
  CHECK_JSTR(located, "kind", "ac");
  CHECK_JSTR(located, "lookup", index_lookup.s ? index_lookup.s : "?");
  text_free(&located);

  /* 4. The token endpoint redeems the code with the verifier. */
  body = fmt("grant_type=authorization_code&code=%s&code_verifier=%s&client_id=app"
             "&redirect_uri=" APP_REDIRECT_FMT,
             code.s, verifier.s);
  redeemed = token_endpoint(&a, APP, state1.s, body, NULL, NOW + 5);
  CHECK_JRAW(redeemed, "ok", "true");
  CHECK_JRAW(redeemed, "error", "null");
  CHECK_JSTR(redeemed, "response.token_type", "Bearer");
  CHECK_JRAW(redeemed, "response.expires_in", "300");
  CHECK_JSTR(redeemed, "response.scope", "read");
  CHECK_JRAW(redeemed, "state.version", "2");
  CHECK_JSTR(redeemed, "state.family_id", family_id.s ? family_id.s : "?");
  CHECK_JSTR(redeemed, "effects.0.effect", "index");
  CHECK_JSTR(redeemed, "effects.0.kind", "rt");
  access = json_str(&redeemed, "response.access_token");
  refresh = json_str(&redeemed, "response.refresh_token");
  state2 = json_raw(&redeemed, "state");
  if (!access.s || !refresh.s || !state2.s) goto done;
  CALL_OUT(&t, tessera_token_check("tsr", STR(refresh.s), "rt", PLAIN_ARGS));
  CHECK(t.s != NULL);
  text_free(&t);

  /* 5. A resource server verifies the access token with the issuer's public key. */
  v = access_token_verifier(&a);
  CHECK(v != NULL);
  if (!v) goto done;
  CHECK_OK(tessera_verify_full(v, STR(access.s), NOW + 6, &verified));
  CALL_OUT(&claims, tessera_verified_claims(verified, PLAIN_ARGS));
  CHECK_JSTR(claims, "iss", "https://as.example");
  CHECK_JSTR(claims, "sub", "user-42");
  CHECK_JSTR(claims, "client_id", "app");
  CHECK_JSTR(claims, "scope", "read");
  CHECK_JRAW(claims, "exp", "1800000305");
  CALL_OUT(&t, tessera_verified_header(verified, PLAIN_ARGS));
  CHECK_JSTR(t, "kid", "as-1");
  CHECK_JSTR(t, "typ", "at+jwt");
  text_free(&t);
  old_jti = json_str(&claims, "jti");
  if (claims.s) CHECK_OK(tessera_scopes_from_claims(STR(claims.s), &granted_scopes));
  CHECK_OK(tessera_scopes_check(granted_scopes, read, NULL));
  CHECK_RC(tessera_verify_result(v, STR(access.s), NOW + 5 + 300 + 31), TESSERA_RESULT_EXPIRED);
  /* The access token names its family. */
  CHECK_OUT(&located, 1, tessera_issuer_locate(a.issuer, STR(access.s), NOW + 6, OUT_ARGS));
  CHECK_JSTR(located, "locator", "family");
  CHECK_JSTR(located, "family_id", family_id.s ? family_id.s : "?");
  CHECK_JSTR(located, "jti", old_jti.s ? old_jti.s : "?");
  text_free(&located);
  CHECK_OUT(&located, 1, tessera_issuer_locate(a.issuer, STR(refresh.s), NOW + 6, OUT_ARGS));
  CHECK_JSTR(located, "locator", "lookup");
  CHECK_JSTR(located, "kind", "rt");
  text_free(&located);
  /* Introspection of both. */
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, STR(state2.s), STR(access.s), NOW + 10, OUT_ARGS));
  CHECK_JRAW(t, "active", "true");
  CHECK_JSTR(t, "client_id", "app");
  CHECK_JSTR(t, "sub", "user-42");
  CHECK_JSTR(t, "scope", "read");
  CHECK_JSTR(t, "token_type", "Bearer");
  CHECK_JSTR(t, "iss", "https://as.example");
  CHECK_JSTR(t, "jti", old_jti.s ? old_jti.s : "?");
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, STR(state2.s), STR(refresh.s), NOW + 10, OUT_ARGS));
  CHECK_JRAW(t, "active", "true");
  CHECK_JSTR(t, "scope", "read");
  CHECK(!json_has(&t, "jti"));
  text_free(&t);

  /* 6. Refresh with rotation: a new refresh token, version 3. */
  refresh_body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=app", refresh.s);
  rotated = token_endpoint(&a, APP, state2.s, refresh_body, NULL, NOW + 60);
  CHECK_JRAW(rotated, "ok", "true");
  CHECK_JRAW(rotated, "state.version", "3");
  CHECK_JSTR(rotated, "response.scope", "read");
  CHECK_HAS(rotated, "\"effect\":\"index\"");
  access2 = json_str(&rotated, "response.access_token");
  refresh2 = json_str(&rotated, "response.refresh_token");
  state3 = json_raw(&rotated, "state");
  if (!access2.s || !refresh2.s || !state3.s) goto done;
  CHECK(strcmp(refresh2.s, refresh.s) != 0 && refresh2.len == refresh.len);
  CHECK_OK(tessera_verify_result(v, STR(access2.s), NOW + 61));
  /* The old refresh token is consumed: introspection says inactive. */
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, STR(state3.s), STR(refresh.s), NOW + 61, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);

  /* 7. Replaying the old refresh token: refused, and the whole family is revoked — a state
   *    and effects the host must persist although "ok" is false. */
  replay = token_endpoint(&a, APP, state3.s, refresh_body, NULL, NOW + 70);
  CHECK_JRAW(replay, "ok", "false");
  CHECK_JRAW(replay, "response", "null");
  CHECK_JRAW(replay, "error.code", "702");
  CHECK_JSTR(replay, "error.name", "oauth_invalid_grant");
  CHECK_JSTR(replay, "error.error", "invalid_grant");
  CHECK_JRAW(replay, "error.status", "400");
  CHECK_JRAW(replay, "error.www_authenticate", "null");
  CHECK_HAS(replay, "\"description\":\"");
  CHECK_JRAW(replay, "state.version", "4");
  CHECK_JSTR(replay, "state.status.state", "revoked");
  CHECK_JSTR(replay, "state.status.reason", "refresh_reuse");
  CHECK_JRAW(replay, "state.status.at", "1800000070");
  CHECK_JSTR(replay, "effects.0.effect", "revoke_family");
  CHECK_JSTR(replay, "effects.0.reason", "refresh_reuse");
  CHECK_JSTR(replay, "effects.0.family_id", family_id.s ? family_id.s : "?");
  CHECK_JSTR(replay, "effects.0.access_tokens.0.jti", old_jti.s ? old_jti.s : "?");
  CHECK_JRAW(replay, "effects.0.access_tokens.0.expires_at", "1800000305");
  CHECK(json_has(&replay, "effects.0.access_tokens.1"));
  state4 = json_raw(&replay, "state");
  if (!state4.s) goto done;

  /* 8. Everything of the revoked family is dead: exactly {"active":false}, and the newest
   *    refresh token and the code are refused. */
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, STR(state4.s), STR(access2.s), NOW + 71, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, STR(state4.s), STR(refresh2.s), NOW + 71,
                                      OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);
  free(refresh_body);
  refresh_body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=app", refresh2.s);
  t = token_endpoint(&a, APP, state4.s, refresh_body, NULL, NOW + 72);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_grant");
  text_free(&t);
  t = token_endpoint(&a, APP, state4.s, body, NULL, NOW + 72);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_grant");
  text_free(&t);
  /* Revoking an already revoked family changes nothing. */
  CHECK_OUT(&t, 1, tessera_issuer_revoke_family(a.issuer, STR(state4.s), NOW + 73, OUT_ARGS));
  CHECK_JRAW(t, "state", "null");
  CHECK_JRAW(t, "effects", "[]");
  text_free(&t);

done:
  free(refresh_body);
  free(body);
  tessera_scopes_free(read);
  tessera_scopes_free(granted_scopes);
  tessera_verified_free(verified);
  tessera_verifier_free(v);
  text_free(&old_jti);
  text_free(&state4);
  text_free(&replay);
  text_free(&refresh2);
  text_free(&access2);
  text_free(&state3);
  text_free(&rotated);
  text_free(&claims);
  text_free(&refresh);
  text_free(&access);
  text_free(&state2);
  text_free(&redeemed);
  text_free(&index_lookup);
  text_free(&family_id);
  text_free(&state1);
  text_free(&code);
  text_free(&location);
  text_free(&granted);
  text_free(&checked);
  text_free(&request);
  text_free(&challenge);
  text_free(&verifier);
  as_free(&a);
}

static void test_authorize_refusals(void) {
  struct as a;
  struct text request = {0}, t = {0}, location = {0}, param = {0};
  char *other_redirect = NULL;
  REQUIRE_AS(&a);
  request = app_request("read", PKCE_CHALLENGE);
  if (!request.s) goto done;

  /* An unknown client ((NULL, 0) registration) is fatal: never redirect. */
  CHECK_OUT(&t, 1, tessera_issuer_authorize(a.issuer, NULL, 0, STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_JSTR(t, "outcome", "fatal");
  CHECK_JRAW(t, "redirect", "null");
  CHECK_JRAW(t, "state", "null");
  CHECK_JRAW(t, "effects", "[]");
  CHECK_JSTR(t, "error.error", "invalid_request");
  CHECK_JRAW(t, "error.status", "400");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_check_authorize(a.issuer, NULL, 0, STR(request.s), OUT_ARGS));
  CHECK_JSTR(t, "outcome", "fatal");
  CHECK_JRAW(t, "scope", "null");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_deny(a.issuer, NULL, 0, STR(request.s), OUT_ARGS));
  CHECK_JSTR(t, "outcome", "fatal");
  text_free(&t);

  /* An unregistered redirect URI: fatal as well. */
  other_redirect = fmt("{\"response_type\":\"code\",\"client_id\":\"app\",\"redirect_uri\":"
                       "\"https://evil.example/cb\",\"scope\":\"read\",\"state\":\"xyz\","
                       "\"code_challenge\":\"%s\",\"code_challenge_method\":\"S256\"}",
                       PKCE_CHALLENGE);
  CHECK_OUT(&t, 1,
            tessera_issuer_authorize(a.issuer, STR(APP), STR(other_redirect), "u", NOW, OUT_ARGS));
  CHECK_JSTR(t, "outcome", "fatal");
  CHECK_JRAW(t, "redirect", "null");
  text_free(&t);

  /* A scope the client may not have: redirected with invalid_scope and the state. */
  text_free(&request);
  request = app_request("admin", PKCE_CHALLENGE);
  CHECK_OUT(&t, 1,
            tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_JSTR(t, "outcome", "rejected");
  CHECK_JSTR(t, "error.error", "invalid_scope");
  CHECK_JRAW(t, "state", "null");
  CHECK_JRAW(t, "effects", "[]");
  location = json_str(&t, "redirect.location");
  param = location.s ? query_param(location.s, "error") : location;
  CHECK(param.s && strcmp(param.s, "invalid_scope") == 0);
  text_free(&param);
  param = location.s ? query_param(location.s, "state") : location;
  CHECK(param.s && strcmp(param.s, "xyz") == 0);
  text_free(&param);
  text_free(&location);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_check_authorize(a.issuer, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_JSTR(t, "outcome", "rejected");
  CHECK_JRAW(t, "scope", "null");
  CHECK_JSTR(t, "error.error", "invalid_scope");
  text_free(&t);

  /* A public client without PKCE: invalid_request, by redirect. */
  text_free(&request);
  request = app_request("read", NULL);
  CHECK_OUT(&t, 1,
            tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_JSTR(t, "outcome", "rejected");
  CHECK_JSTR(t, "error.error", "invalid_request");
  CHECK_HAS(t, "error=invalid_request");
  text_free(&t);

  /* The user said no: access_denied, by redirect. */
  text_free(&request);
  request = app_request("read", PKCE_CHALLENGE);
  CHECK_OUT(&t, 1, tessera_issuer_deny(a.issuer, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_JSTR(t, "outcome", "rejected");
  CHECK_JSTR(t, "error.error", "access_denied");
  CHECK_JRAW(t, "state", "null");
  location = json_str(&t, "redirect.location");
  param = location.s ? query_param(location.s, "error") : location;
  CHECK(param.s && strcmp(param.s, "access_denied") == 0);
  text_free(&param);
  text_free(&location);
  text_free(&t);
done:
  free(other_redirect);
  text_free(&request);
  as_free(&a);
}

static void test_code_replay_and_pkce_failure(void) {
  struct as a;
  struct family f;
  struct text t = {0};
  char *body = NULL;
  REQUIRE_AS(&a);
  if (!obtain_family(&a, &f)) {
    CHECK(0 && "family");
    goto done;
  }
  /* The code was redeemed: presenting it again revokes the family (reason code_replay). */
  body = code_body(&f);
  t = token_endpoint(&a, APP, f.state.s, body, NULL, NOW + 20);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_grant");
  CHECK_JSTR(t, "state.status.state", "revoked");
  CHECK_JSTR(t, "effects.0.effect", "revoke_family");
  CHECK_JSTR(t, "effects.0.reason", "code_replay");
  text_free(&t);
  free(body);
  body = NULL;
  family_free(&f);

  /* A wrong PKCE verifier burns the code (a state to persist), invalid_grant. */
  if (!obtain_family(&a, &f)) goto done;
  {
    struct text challenge, request, granted, location;
    char *bad;
    CALL_OUT(&challenge, tessera_pkce_challenge(STR(f.verifier.s), PLAIN_ARGS));
    request = app_request("read", challenge.s);
    CALL_OUT(&granted, tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "user-42",
                                                NOW, PLAIN_ARGS));
    location = json_str(&granted, "redirect.location");
    text_free(&f.code);
    text_free(&f.state);
    f.code = location.s ? query_param(location.s, "code") : location;
    f.state = json_raw(&granted, "state");
    bad = fmt("grant_type=authorization_code&code=%s&code_verifier=%s&client_id=app"
              "&redirect_uri=" APP_REDIRECT_FMT,
              f.code.s, PKCE_VERIFIER);
    t = token_endpoint(&a, APP, f.state.s, bad, NULL, NOW + 1);
    CHECK_JRAW(t, "ok", "false");
    CHECK_JSTR(t, "error.error", "invalid_grant");
    CHECK_JRAW(t, "error.code", "702");
    CHECK_JSTR(t, "error.name", "oauth_invalid_grant");
    CHECK_HAS(t, "\"description\":\"code_verifier does not match");
    CHECK_JRAW(t, "state.version", "2");
    CHECK_HAS(t, "\"code\":{");
    text_free(&t);
    /* No state at all (the index had no entry): invalid_grant, nothing to persist. */
    t = token_endpoint(&a, APP, NULL, bad, NULL, NOW + 1);
    CHECK_JRAW(t, "ok", "false");
    CHECK_JSTR(t, "error.error", "invalid_grant");
    CHECK_JRAW(t, "state", "null");
    text_free(&t);
    free(bad);
    text_free(&location);
    text_free(&granted);
    text_free(&request);
    text_free(&challenge);
  }
done:
  free(body);
  family_free(&f);
  as_free(&a);
}

/* RFC 9700 §4.14.2: a refresh token presented by another client has leaked; the refusal revokes
 * its family (reason refresh_client_mismatch), with a state and effects to persist. */
static void test_refresh_by_another_client(void) {
  static const char OTHER[] =
      "{\"client_id\":\"other\",\"kind\":\"public\",\"redirect_uris\":[\"https://other.example/cb\"],"
      "\"allowed_scope\":\"read write\",\"grant_types\":[\"authorization_code\","
      "\"refresh_token\"]}";
  struct as a;
  struct family f;
  struct text t = {0}, revoked = {0};
  char *body = NULL;
  REQUIRE_AS(&a);
  if (!obtain_family(&a, &f)) {
    CHECK(0 && "family");
    goto done;
  }
  body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=other", f.refresh.s);
  t = token_endpoint(&a, OTHER, f.state.s, body, NULL, NOW + 30);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JRAW(t, "response", "null");
  CHECK_JSTR(t, "error.error", "invalid_grant");
  CHECK_JRAW(t, "error.status", "400");
  CHECK_JRAW(t, "state.version", "3");
  CHECK_JSTR(t, "state.status.state", "revoked");
  CHECK_JSTR(t, "state.status.reason", "refresh_client_mismatch");
  CHECK_JSTR(t, "effects.0.effect", "revoke_family");
  CHECK_JSTR(t, "effects.0.reason", "refresh_client_mismatch");
  CHECK_JSTR(t, "effects.0.family_id", f.family_id.s ? f.family_id.s : "?");
  CHECK(json_has(&t, "effects.0.access_tokens.0"));
  revoked = json_raw(&t, "state");
  text_free(&t);
  free(body);
  body = NULL;
  if (!revoked.s) goto done;
  /* The revoked state reloads, and the rightful client is refused too (nothing changes). */
  body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=app", f.refresh.s);
  t = token_endpoint(&a, APP, revoked.s, body, NULL, NOW + 31);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_grant");
  CHECK_JRAW(t, "state", "null");
  CHECK_JRAW(t, "effects", "[]");
  text_free(&t);
done:
  free(body);
  text_free(&revoked);
  family_free(&f);
  as_free(&a);
}

static void test_client_credentials(void) {
  struct as a;
  struct text hash = {0}, t = {0}, access = {0}, claims = {0};
  char *svc = NULL;
  tessera_verifier *v = NULL;
  REQUIRE_AS(&a);
  CALL_OUT(&hash, tessera_client_secret_hash(a.peppers, STR("s3cret-value"), PLAIN_ARGS));
  if (!hash.s) goto done;
  svc = fmt("{\"client_id\":\"svc\",\"kind\":\"confidential\",\"allowed_scope\":\"read write\","
            "\"default_scope\":\"read\",\"grant_types\":[\"client_credentials\"],"
            "\"secret_hash\":\"%s\"}",
            hash.s);

  /* client_secret_post, an explicit scope. */
  t = token_endpoint(&a, svc, NULL,
                     "grant_type=client_credentials&scope=write&client_id=svc"
                     "&client_secret=s3cret-value",
                     NULL, NOW);
  CHECK_JRAW(t, "ok", "true");
  CHECK_JSTR(t, "response.scope", "write");
  CHECK_JSTR(t, "response.token_type", "Bearer");
  CHECK(!json_has(&t, "response.refresh_token"));
  CHECK_JSTR(t, "state.kind", "client_credentials");
  access = json_str(&t, "response.access_token");
  text_free(&t);
  v = access_token_verifier(&a);
  if (access.s && v) {
    tessera_verified *verified = NULL;
    CHECK_OK(tessera_verify_full(v, STR(access.s), NOW + 1, &verified));
    CALL_OUT(&claims, tessera_verified_claims(verified, PLAIN_ARGS));
    CHECK_JSTR(claims, "client_id", "svc");
    CHECK_JSTR(claims, "scope", "write");
    tessera_verified_free(verified);
  }
  /* HTTP Basic, the default scope. */
  t = token_endpoint(&a, svc, NULL, "grant_type=client_credentials",
                     "Basic c3ZjOnMzY3JldC12YWx1ZQ==", NOW);
  CHECK_JRAW(t, "ok", "true");
  CHECK_JSTR(t, "response.scope", "read");
  text_free(&t);
  /* A scope outside allowed_scope. */
  t = token_endpoint(&a, svc, NULL,
                     "grant_type=client_credentials&scope=admin&client_id=svc"
                     "&client_secret=s3cret-value",
                     NULL, NOW);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_scope");
  text_free(&t);
  /* A wrong secret in the body: invalid_client, 401 with the Basic challenge all the same
   * (RFC 9110 §15.5.2, RFC 6749 §5.2), nothing to persist. */
  t = token_endpoint(&a, svc, NULL,
                     "grant_type=client_credentials&client_id=svc&client_secret=wrong", NULL, NOW);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JRAW(t, "response", "null");
  CHECK_JSTR(t, "error.error", "invalid_client");
  CHECK_JRAW(t, "error.status", "401");
  CHECK_JSTR(t, "error.www_authenticate", "Basic realm=\"https://as.example\"");
  CHECK_JRAW(t, "state", "null");
  CHECK_JRAW(t, "effects", "[]");
  text_free(&t);
  /* ...over HTTP Basic: with a Basic challenge whose realm is the issuer. */
  t = token_endpoint(&a, svc, NULL, "grant_type=client_credentials", "Basic c3ZjOndyb25n", NOW);
  CHECK_JSTR(t, "error.error", "invalid_client");
  CHECK_JSTR(t, "error.www_authenticate", "Basic realm=\"https://as.example\"");
  text_free(&t);
  /* No secret at all for a confidential client, and an unknown client. */
  t = token_endpoint(&a, svc, NULL, "grant_type=client_credentials&client_id=svc", NULL, NOW);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_client");
  text_free(&t);
  t = token_endpoint(&a, NULL, NULL, "grant_type=client_credentials&client_id=who&client_secret=x",
                     NULL, NOW);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_client");
  text_free(&t);
  /* Pepper rotation reaches client authentication: a secret hashed under an older pepper
   * authenticates at an issuer whose peppers keep it, and only there. */
  {
    static const char old_pepper[] = "the old pepper, thirty-two bytes+";
    tessera_peppers *old = peppers_new("p0", old_pepper);
    tessera_peppers *rotated = peppers_new("p1", PEPPER_SECRET);
    tessera_issuer *issuer = NULL;
    struct text old_hash = {NULL, 0};
    char *old_svc = NULL;
    if (old && rotated) {
      CHECK_OK(tessera_peppers_add_previous(rotated, "p0", STR(old_pepper)));
      CHECK_OK(tessera_issuer_new(STR(POLICY), a.key, rotated, &issuer));
      CALL_OUT(&old_hash, tessera_client_secret_hash(old, STR("s3cret-value"), PLAIN_ARGS));
    }
    if (issuer && old_hash.s) {
      struct as rotated_as = a;
      rotated_as.issuer = issuer;
      old_svc = fmt("{\"client_id\":\"svc\",\"kind\":\"confidential\",\"allowed_scope\":"
                    "\"read\",\"grant_types\":[\"client_credentials\"],\"secret_hash\":\"%s\"}",
                    old_hash.s);
      t = token_endpoint(&rotated_as, old_svc, NULL,
                         "grant_type=client_credentials&scope=read&client_id=svc"
                         "&client_secret=s3cret-value",
                         NULL, NOW);
      CHECK_JRAW(t, "ok", "true");
      text_free(&t);
      t = token_endpoint(&a, old_svc, NULL, /* a.issuer knows only p1 */
                         "grant_type=client_credentials&scope=read&client_id=svc"
                         "&client_secret=s3cret-value",
                         NULL, NOW);
      CHECK_JSTR(t, "error.error", "invalid_client");
      text_free(&t);
    }
    free(old_svc);
    text_free(&old_hash);
    tessera_issuer_free(issuer);
    tessera_peppers_free(rotated);
    tessera_peppers_free(old);
  }
  /* A public client may not use client credentials. */
  t = token_endpoint(&a, APP, NULL, "grant_type=client_credentials&client_id=app", NULL, NOW);
  CHECK_JRAW(t, "ok", "false");
  CHECK(json_has(&t, "error.error"));
  CHECK_JRAW(t, "state", "null");
  text_free(&t);
done:
  tessera_verifier_free(v);
  text_free(&claims);
  text_free(&access);
  free(svc);
  text_free(&hash);
  as_free(&a);
}

/* tessera_issuer_revoke as a host runs it: parse the body, then revoke within `state`. */
static struct text revoke_endpoint(const struct as *a, const char *client, const char *state,
                                   const char *body, int64_t now) {
  struct text parsed, auth, token, out = {NULL, 0};
  CALL_OUT(&parsed, tessera_revocation_request_parse(STR(body), NULL, PLAIN_ARGS));
  auth = json_raw(&parsed, "client_auth");
  token = json_str(&parsed, "request.token");
  if (auth.s && token.s)
    CHECK_OUT(&out, 1,
              tessera_issuer_revoke(a->issuer, (const uint8_t *)client, client ? strlen(client) : 0,
                                    STR(auth.s), (const uint8_t *)state, state ? strlen(state) : 0,
                                    STR(token.s), now, OUT_ARGS));
  text_free(&parsed);
  text_free(&auth);
  text_free(&token);
  return out;
}

static void test_revocation(void) {
  struct as a;
  struct family f;
  struct text t = {0}, revoked_state = {0};
  char *body = NULL;
  REQUIRE_AS(&a);
  if (!obtain_family(&a, &f)) {
    CHECK(0 && "family");
    goto done;
  }
  /* Revoking the access token alone: the family lives on. */
  body = fmt("token=%s&token_type_hint=access_token&client_id=app", f.access.s);
  t = revoke_endpoint(&a, APP, f.state.s, body, NOW + 10);
  CHECK_JRAW(t, "ok", "true");
  CHECK_JRAW(t, "response", "null");
  CHECK_JRAW(t, "error", "null");
  CHECK_JSTR(t, "effects.0.effect", "revoke_access_tokens");
  CHECK_JSTR(t, "state.status.state", "active");
  revoked_state = json_raw(&t, "state");
  text_free(&t);
  if (revoked_state.s) {
    CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(revoked_state.s), STR(f.access.s),
                                               NOW + 11, OUT_ARGS));
    CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
    text_free(&t);
    CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(revoked_state.s), STR(f.refresh.s),
                                               NOW + 11, OUT_ARGS));
    CHECK_JRAW(t, "active", "true");
    text_free(&t);
  }
  text_free(&revoked_state);
  free(body);

  /* Revoking the refresh token revokes the family and its access tokens. */
  body = fmt("token=%s&client_id=app", f.refresh.s);
  t = revoke_endpoint(&a, APP, f.state.s, body, NOW + 10);
  CHECK_JRAW(t, "ok", "true");
  CHECK_JSTR(t, "state.status.state", "revoked");
  CHECK_JSTR(t, "state.status.reason", "client_request");
  CHECK_JSTR(t, "effects.0.effect", "revoke_family");
  CHECK_JSTR(t, "effects.0.reason", "client_request");
  CHECK_JSTR(t, "effects.0.family_id", f.family_id.s);
  revoked_state = json_raw(&t, "state");
  text_free(&t);
  if (revoked_state.s) {
    CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(revoked_state.s), STR(f.access.s),
                                               NOW + 11, OUT_ARGS));
    CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
    text_free(&t);
    CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(revoked_state.s), STR(f.refresh.s),
                                               NOW + 11, OUT_ARGS));
    CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
    text_free(&t);
  }
  /* Another client's token, the code, junk, (NULL, 0), non-UTF-8: 200, nothing changes. */
  {
    static const char *const junk[] = {"nonsense", "tsr_rt_short", "\xff\xfe", ""};
    const char *auth = "{\"method\":\"none\",\"client_id\":\"app\"}";
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
      CHECK_OUT(&t, 1, tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), STR(f.state.s),
                                             STR(junk[i]), NOW + 10, OUT_ARGS));
      CHECK_JRAW(t, "ok", "true");
      CHECK_JRAW(t, "state", "null");
      CHECK_JRAW(t, "effects", "[]");
      text_free(&t);
    }
    CHECK_OUT(&t, 1, tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), NULL, 0, NULL, 0,
                                           NOW + 10, OUT_ARGS));
    CHECK_JRAW(t, "ok", "true");
    CHECK_JRAW(t, "state", "null");
    text_free(&t);
    CHECK_OUT(&t, 1, tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), STR(f.state.s),
                                           STR(f.code.s), NOW + 10, OUT_ARGS));
    CHECK_JRAW(t, "ok", "true");
    CHECK_JRAW(t, "state", "null");
    text_free(&t);
    CHECK_OUT(&t, 1, tessera_issuer_revoke(
                         a.issuer,
                         STR("{\"client_id\":\"other\",\"kind\":\"public\",\"redirect_uris\":[],"
                             "\"allowed_scope\":\"read\",\"grant_types\":[\"refresh_token\"]}"),
                         STR("{\"method\":\"none\",\"client_id\":\"other\"}"), STR(f.state.s),
                         STR(f.refresh.s), NOW + 10, OUT_ARGS));
    CHECK_JRAW(t, "ok", "true");
    CHECK_JRAW(t, "state", "null");
    text_free(&t);
  }
  /* An unknown client: invalid_client, 401. */
  t = revoke_endpoint(&a, NULL, f.state.s, body, NOW + 10);
  CHECK_JRAW(t, "ok", "false");
  CHECK_JSTR(t, "error.error", "invalid_client");
  CHECK_JRAW(t, "error.status", "401");
  CHECK_JRAW(t, "state", "null");
  text_free(&t);

  /* Host-initiated revocation: reason host; a second time changes nothing. */
  CHECK_OUT(&t, 1, tessera_issuer_revoke_family(a.issuer, STR(f.state.s), NOW + 12, OUT_ARGS));
  CHECK_JSTR(t, "state.status.state", "revoked");
  CHECK_JSTR(t, "state.status.reason", "host");
  CHECK_JSTR(t, "effects.0.effect", "revoke_family");
  CHECK_JSTR(t, "effects.0.reason", "host");
  CHECK(json_has(&t, "effects.0.access_tokens.0.jti"));
  text_free(&t);
  if (revoked_state.s) {
    CHECK_OUT(&t, 1,
              tessera_issuer_revoke_family(a.issuer, STR(revoked_state.s), NOW + 12, OUT_ARGS));
    CHECK_JRAW(t, "state", "null");
    CHECK_JRAW(t, "effects", "[]");
    text_free(&t);
  }
done:
  free(body);
  text_free(&revoked_state);
  family_free(&f);
  as_free(&a);
}

static void test_introspection_and_locate(void) {
  struct as a;
  struct family f;
  struct text t = {0}, engine = {0}, engine_token = {0};
  REQUIRE_AS(&a);
  if (!obtain_family(&a, &f)) {
    CHECK(0 && "family");
    goto done;
  }
  /* An access token: active until it expires (no leeway); exactly {"active":false} after. */
  CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(f.state.s), STR(f.access.s), NOW + 304,
                                             OUT_ARGS));
  CHECK_JRAW(t, "active", "true");
  CHECK_JRAW(t, "exp", "1800000305");
  CHECK_JRAW(t, "iat", "1800000005");
  CHECK_HAS(t, "\"aud\":");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(f.state.s), STR(f.access.s), NOW + 306,
                                             OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);
  /* No state, unknown, malformed, non-UTF-8, (NULL, 0): inactive, never an error code. */
  {
    static const char *const junk[] = {"nonsense", "tsr_rt_short", "\xff", "", "a.b.c"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
      CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(f.state.s), STR(junk[i]), NOW,
                                                 OUT_ARGS));
      CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
      text_free(&t);
    }
  }
  CHECK_OUT(&t, 1,
            tessera_issuer_introspect(a.issuer, NULL, 0, STR(f.access.s), NOW + 10, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, NULL, 0, NULL, 0, NOW, OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);
  /* The code was redeemed: inactive. */
  CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(f.state.s), STR(f.code.s), NOW + 10,
                                             OUT_ARGS));
  CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
  text_free(&t);

  /* locate: a "none" locator with an error object for everything without a state. */
  {
    static const char *const junk[] = {"tsr_rt_short", "not-a-jwt", "\xff", ""};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
      CHECK_OUT(&t, 1, tessera_issuer_locate(a.issuer, STR(junk[i]), NOW, OUT_ARGS));
      CHECK_JSTR(t, "locator", "none");
      CHECK(json_has(&t, "error.code") && json_has(&t, "error.status"));
      text_free(&t);
    }
  }
  CHECK_OUT(&t, 1, tessera_issuer_locate(a.issuer, NULL, 0, NOW, OUT_ARGS));
  CHECK_JSTR(t, "locator", "none");
  text_free(&t);
  CHECK_OUT(&t, 1, tessera_issuer_locate(a.issuer, STR(f.access.s), NOW + 306, OUT_ARGS));
  CHECK_JSTR(t, "locator", "none"); /* expired */
  CHECK_JSTR(t, "error.name", "expired");
  text_free(&t);
  /* An API key is not a grant token. */
  CALL_OUT(&engine, tessera_token_generate("tsr", "ak", PLAIN_ARGS));
  if (engine.s) {
    CHECK_OUT(&t, 1, tessera_issuer_locate(a.issuer, STR(engine.s), NOW, OUT_ARGS));
    CHECK_JSTR(t, "locator", "none");
    text_free(&t);
  }
  text_free(&engine);
  /* An engine token is not an access token. */
  CALL_OUT(&engine, tessera_issuer_engine_token(a.issuer, "read", "read", "task", "engine", NOW,
                                                PLAIN_ARGS));
  engine_token = json_str(&engine, "token");
  if (engine_token.s) {
    CHECK_OUT(&t, 1, tessera_issuer_locate(a.issuer, STR(engine_token.s), NOW, OUT_ARGS));
    CHECK_JSTR(t, "locator", "none");
    CHECK_JSTR(t, "error.name", "type_mismatch");
    text_free(&t);
    CHECK_OUT(&t, 1, tessera_issuer_introspect(a.issuer, STR(f.state.s), STR(engine_token.s), NOW,
                                               OUT_ARGS));
    CHECK(t.s && strcmp(t.s, "{\"active\":false}") == 0);
    text_free(&t);
  }
done:
  text_free(&engine_token);
  text_free(&engine);
  family_free(&f);
  as_free(&a);
}

static void test_engine_token(void) {
  struct as a;
  struct text t = {0}, token = {0}, claims = {0};
  tessera_verifier_builder *b = NULL;
  tessera_verifier *engine_verifier = NULL, *access_verifier = NULL;
  tessera_verified *verified = NULL;
  tessera_scopes *not_issuer = scopes("a");
  const tessera_issuer *wrong = (const tessera_issuer *)(const void *)not_issuer;
  REQUIRE_AS(&a);
  /* Minted: fresh jti and signature on every retry, same length. */
  CHECK_OUT(&t, 0, tessera_issuer_engine_token(a.issuer, "read write", "read", "task-7", "engine",
                                               NOW, OUT_ARGS));
  CHECK_JSTR(t, "scope", "read");
  CHECK_JRAW(t, "expires_at", "1800000300");
  CHECK(json_has(&t, "jti"));
  token = json_str(&t, "token");
  text_free(&t);
  /* An engine verifier (typ engine+jwt) accepts it; an access-token verifier does not. */
  if (tessera_verifier_builder_new(&b) == TESSERA_RESULT_OK &&
      tessera_verifier_builder_add_issuer(b, "https://as.example") == TESSERA_RESULT_OK &&
      tessera_verifier_builder_add_audience(b, "engine") == TESSERA_RESULT_OK &&
      tessera_verifier_builder_set_typ(b, "engine+jwt") == TESSERA_RESULT_OK)
    CHECK_OK(tessera_verifier_new_with_key(b, a.public_key, &engine_verifier));
  tessera_verifier_builder_free(b);
  access_verifier = access_token_verifier(&a);
  if (token.s && engine_verifier && access_verifier) {
    CHECK_OK(tessera_verify_full(engine_verifier, STR(token.s), NOW + 1, &verified));
    CALL_OUT(&claims, tessera_verified_claims(verified, PLAIN_ARGS));
    CHECK_JSTR(claims, "sub", "task-7");
    CHECK_JSTR(claims, "scope", "read");
    CHECK_RC(tessera_verify_result(access_verifier, STR(token.s), NOW + 1),
             TESSERA_RESULT_TYPE_MISMATCH);
  }
  /* The policy's implications apply: write implies read. */
  CHECK_OUT(&t, 0, tessera_issuer_engine_token(a.issuer, "write", "read", "t", "e", NOW, OUT_ARGS));
  CHECK_JSTR(t, "scope", "read");
  text_free(&t);
  /* Failures are result codes here (no envelope). */
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_SCOPE,
               tessera_issuer_engine_token(a.issuer, "read", "write", "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_OAUTH_INVALID_SCOPE,
               tessera_issuer_engine_token(a.issuer, "read", "", "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_SCOPE,
               tessera_issuer_engine_token(a.issuer, "read  write", "read", "t", "e", NOW,
                                           OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_SCOPE,
               tessera_issuer_engine_token(a.issuer, "read", "re\"ad", "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_issuer_engine_token(a.issuer, "read", "read", "", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_issuer_engine_token(a.issuer, "read", "read", "t", "", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_issuer_engine_token(a.issuer, "read", "read", "\xff", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_engine_token(NULL, "read", "read", "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_engine_token(a.issuer, NULL, "read", "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_engine_token(a.issuer, "read", NULL, "t", "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_engine_token(a.issuer, "read", "read", NULL, "e", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_engine_token(a.issuer, "read", "read", "t", NULL, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_engine_token(wrong, "read", "read", "t", "e", NOW, OUT_ARGS));
  tessera_verified_free(verified);
  tessera_verifier_free(engine_verifier);
  tessera_verifier_free(access_verifier);
  tessera_scopes_free(not_issuer);
  text_free(&claims);
  text_free(&token);
  as_free(&a);
}

/* Argument errors are result codes (nothing written), for every issuer function. */
static void test_issuer_argument_errors(void) {
  struct as a;
  struct family f;
  struct text t = {0}, request = {0};
  tessera_scopes *not_issuer = scopes("a");
  const tessera_issuer *wrong = (const tessera_issuer *)(const void *)not_issuer;
  const char *auth = "{\"method\":\"none\",\"client_id\":\"app\"}";
  const char *refresh_request = "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"x\"}";
  char *huge = NULL;
  REQUIRE_AS(&a);
  if (!obtain_family(&a, &f)) {
    CHECK(0 && "family");
    goto done;
  }
  request = app_request("read", PKCE_CHALLENGE);
  if (!request.s) goto done;
  huge = (char *)malloc((1 << 20) + 64);
  if (!huge) abort();
  memset(huge, ' ', (1 << 20) + 63);
  huge[(1 << 20) + 63] = '\0';
  memcpy(huge, f.state.s, f.state.len < 1024 ? f.state.len : 0); /* valid JSON, then padding */

  /* check_authorize, authorize, deny. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_check_authorize(NULL, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_check_authorize(wrong, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_check_authorize(a.issuer, NULL, 5, STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_check_authorize(a.issuer, STR(APP), NULL, 5, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_check_authorize(a.issuer, STR(APP), NULL, 0, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_check_authorize(a.issuer, STR("{"), STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_check_authorize(a.issuer, STR("{\"client_id\":\"app\"}"),
                                              STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_check_authorize(a.issuer, STR(APP), STR("{\"client_id\":\"app\"}"),
                                              OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_check_authorize(
                   a.issuer, STR(APP),
                   STR("{\"response_type\":\"code\",\"client_id\":\"app\",\"x\":1}"), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_issuer_check_authorize(a.issuer, STR("{\"client_id\":\"\xff\"}"),
                                              STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_authorize(NULL, STR(APP), STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_authorize(wrong, STR(APP), STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_authorize(a.issuer, NULL, 5, STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_authorize(a.issuer, STR(APP), NULL, 5, "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_authorize(a.issuer, STR(APP), NULL, 0, "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), NULL, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_ARGUMENT,
               tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               tessera_issuer_authorize(a.issuer, STR(APP), STR(request.s), "\xff", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_authorize(a.issuer, STR("[]"), STR(request.s), "u", NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_deny(NULL, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_deny(wrong, STR(APP), STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_deny(a.issuer, NULL, 1, STR(request.s), OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_deny(a.issuer, STR(APP), NULL, 1, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_deny(a.issuer, STR(APP), NULL, 0, OUT_ARGS));

  /* token: client_auth and request are required; states of unknown formats are refused. */
#define TOKEN(issuer, client, auth_p, auth_n, state_p, state_n, req_p, req_n)                   \
  tessera_issuer_token((issuer), STR(client), (const uint8_t *)(auth_p), (auth_n),             \
                       (const uint8_t *)(state_p), (state_n), (const uint8_t *)(req_p), (req_n), \
                       NOW, OUT_ARGS)
  CHECK_OUT(&t, 0, TOKEN(a.issuer, APP, auth, strlen(auth), NULL, 0, refresh_request,
                         strlen(refresh_request)));
  CHECK_JRAW(t, "ok", "false"); /* no state: invalid_grant */
  CHECK_JSTR(t, "error.error", "invalid_grant");
  text_free(&t);
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               TOKEN(NULL, APP, auth, strlen(auth), NULL, 0, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               TOKEN(wrong, APP, auth, strlen(auth), NULL, 0, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_token(a.issuer, NULL, 3, STR(auth), NULL, 0, STR(refresh_request),
                                    NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               TOKEN(a.issuer, APP, NULL, 3, NULL, 0, refresh_request, strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               TOKEN(a.issuer, APP, auth, strlen(auth), NULL, 3, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               TOKEN(a.issuer, APP, auth, strlen(auth), NULL, 0, NULL, 3));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, NULL, 0, NULL, 0, refresh_request, strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, auth, strlen(auth), NULL, 0, NULL, 0));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, "{\"method\":\"magic\",\"client_id\":\"app\"}", 37, NULL, 0,
                     refresh_request, strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, auth, strlen(auth), NULL, 0, "{\"grant_type\":\"password\"}",
                     25));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED,
               TOKEN(a.issuer, APP, auth, strlen(auth), "{\"v\":2}", 7, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, auth, strlen(auth), "{\"v\":1}", 7, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               TOKEN(a.issuer, APP, auth, strlen(auth), "[", 1, refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOO_LARGE,
               TOKEN(a.issuer, APP, auth, strlen(auth), huge, strlen(huge), refresh_request,
                     strlen(refresh_request)));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_UTF8,
               TOKEN(a.issuer, APP, auth, strlen(auth), "{\"v\":\"\xff\"}", 9, refresh_request,
                     strlen(refresh_request)));
#undef TOKEN

  /* locate, revoke, revoke_family, introspect. */
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_locate(NULL, STR("x"), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_locate(wrong, STR("x"), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_locate(a.issuer, NULL, 1, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke(NULL, STR(APP), STR(auth), STR(f.state.s), STR(f.refresh.s),
                                     NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_revoke(wrong, STR(APP), STR(auth), STR(f.state.s), STR(f.refresh.s),
                                     NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke(a.issuer, NULL, 2, STR(auth), STR(f.state.s),
                                     STR(f.refresh.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke(a.issuer, STR(APP), NULL, 2, STR(f.state.s),
                                     STR(f.refresh.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), NULL, 2, STR(f.refresh.s),
                                     NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), STR(f.state.s), NULL, 2, NOW,
                                     OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_revoke(a.issuer, STR(APP), NULL, 0, STR(f.state.s),
                                     STR(f.refresh.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED,
               tessera_issuer_revoke(a.issuer, STR(APP), STR(auth), STR("{\"v\":99}"),
                                     STR(f.refresh.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke_family(NULL, STR(f.state.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_revoke_family(wrong, STR(f.state.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_revoke_family(a.issuer, NULL, 3, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_revoke_family(a.issuer, NULL, 0, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED,
               tessera_issuer_revoke_family(a.issuer, STR("{\"v\":2}"), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_TOO_LARGE,
               tessera_issuer_revoke_family(a.issuer, STR(huge), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_introspect(NULL, STR(f.state.s), STR(f.access.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_WRONG_HANDLE,
               tessera_issuer_introspect(wrong, STR(f.state.s), STR(f.access.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_introspect(a.issuer, NULL, 2, STR(f.access.s), NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_NULL_POINTER,
               tessera_issuer_introspect(a.issuer, STR(f.state.s), NULL, 2, NOW, OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_UNSUPPORTED,
               tessera_issuer_introspect(a.issuer, STR("{\"v\":0}"), STR(f.access.s), NOW,
                                         OUT_ARGS));
  CHECK_OUT_RC(&t, TESSERA_RESULT_INVALID_JSON,
               tessera_issuer_introspect(a.issuer, STR("{"), STR(f.access.s), NOW, OUT_ARGS));
done:
  free(huge);
  text_free(&request);
  family_free(&f);
  tessera_scopes_free(not_issuer);
  as_free(&a);
}

/* ---- one issuer shared by threads --------------------------------------------------------- */

enum { THREADS = 4, ROUNDS = 5 };

struct shared {
  const struct as *a;
  const tessera_verifier *verifier;
  int failures;
};

/* The string at `path` of the `len` bytes of JSON at `json`, copied into `out` (of `cap`
 * bytes, NUL-terminated); 0 when absent or too long. */
static int copy_str(const char *json, size_t len, const char *path, char *out, size_t cap) {
  size_t n = 0;
  const char *v = json_at(json, len, path, &n);
  if (!v || n < 2 || *v != '"' || n - 2 >= cap) return 0;
  memcpy(out, v + 1, n - 2);
  out[n - 2] = '\0';
  return 1;
}

/* One authorize, code exchange and verification, without the harness (its counters are not
 * thread-safe): 1 on success. Fixed buffers: tessera reports BUFFER_TOO_SMALL rather than
 * overflow them. */
static int flow_in_thread(const struct as *a, const tessera_verifier *v) {
  static const char auth[] = "{\"method\":\"none\",\"client_id\":\"app\"}";
  char verifier[64], challenge[64], query[512], request[1024], location[512], state[8192];
  char out[16384], body[1024], access[2048], *code;
  size_t n = 0, state_len = 0;
  const char *state_json;
  if (tessera_pkce_verifier_new((uint8_t *)verifier, sizeof verifier - 1, &n)) return 0;
  verifier[n] = '\0';
  if (tessera_pkce_challenge(STR(verifier), (uint8_t *)challenge, sizeof challenge - 1, &n))
    return 0;
  challenge[n] = '\0';
  snprintf(query, sizeof query,
           "response_type=code&client_id=app&redirect_uri=%s&scope=read&state=s"
           "&code_challenge=%s&code_challenge_method=S256",
           APP_REDIRECT_FORM, challenge);
  if (tessera_authorize_request_parse(STR(query), (uint8_t *)request, sizeof request - 1, &n))
    return 0;
  request[n] = '\0';
  if (tessera_issuer_authorize(a->issuer, STR(APP), STR(request), "user-42", NOW,
                               (uint8_t *)out, sizeof out, &n) ||
      !copy_str(out, n, "redirect.location", location, sizeof location) ||
      !(state_json = json_at(out, n, "state", &state_len)) || state_len >= sizeof state ||
      !(code = strstr(location, "code=")))
    return 0;
  memcpy(state, state_json, state_len);
  state[state_len] = '\0';
  code += 5;
  code[strcspn(code, "&")] = '\0';
  snprintf(body, sizeof body,
           "{\"grant_type\":\"authorization_code\",\"code\":\"%s\",\"redirect_uri\":"
           "\"https://app.example/cb\",\"code_verifier\":\"%s\",\"client_id\":\"app\"}",
           code, verifier);
  if (tessera_issuer_token(a->issuer, STR(APP), STR(auth), STR(state), STR(body), NOW + 5,
                           (uint8_t *)out, sizeof out, &n) ||
      !copy_str(out, n, "response.access_token", access, sizeof access))
    return 0;
  return tessera_verify_result(v, STR(access), NOW + 6) == TESSERA_RESULT_OK;
}

static void *worker(void *arg) {
  struct shared *s = (struct shared *)arg;
  for (int i = 0; i < ROUNDS; i++)
    if (!flow_in_thread(s->a, s->verifier)) s->failures++;
  return NULL;
}

static void test_threads(void) {
  struct as a;
  pthread_t threads[THREADS];
  struct shared shared[THREADS];
  tessera_verifier *v = NULL;
  int failures = 0;
  REQUIRE_AS(&a);
  v = access_token_verifier(&a);
  for (int i = 0; i < THREADS; i++) {
    shared[i].a = &a;
    shared[i].verifier = v;
    shared[i].failures = 0;
    CHECK(pthread_create(&threads[i], NULL, worker, &shared[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    failures += shared[i].failures;
  }
  CHECK(failures == 0);
  tessera_verifier_free(v);
  as_free(&a);
}

/* ---- _free(NULL) -------------------------------------------------------------------------- */

static void test_free_null(void) {
  tessera_scope_policy_free(NULL);
  tessera_scopes_free(NULL);
  tessera_peppers_free(NULL);
  tessera_issuer_free(NULL);
  CHECK(1);
}

static const struct harness_test TESTS[] = {
    HARNESS_TEST(scope_policy),
    HARNESS_TEST(scopes_parse),
    HARNESS_TEST(scopes_from_claims),
    HARNESS_TEST(scopes_covers_narrow_reduce),
    HARNESS_TEST(token_generate),
    HARNESS_TEST(token_check),
    HARNESS_TEST(peppers),
    HARNESS_TEST(pkce),
    HARNESS_TEST(form_parse),
    HARNESS_TEST(authorize_request_parse),
    HARNESS_TEST(token_request_parse),
    HARNESS_TEST(revocation_and_introspection_request_parse),
    HARNESS_TEST(bearer),
    HARNESS_TEST(access_token),
    HARNESS_TEST(error_response),
    HARNESS_TEST(resource_error_response),
    HARNESS_TEST(dpop_challenge),
    HARNESS_TEST(redirect_uri),
    HARNESS_TEST(server_metadata),
    HARNESS_TEST(server_metadata_sender_constraints),
    HARNESS_TEST(server_metadata_url),
    HARNESS_TEST(issuer_new),
    HARNESS_TEST(dpop_bound_tokens),
    HARNESS_TEST(client_secret_hash),
    HARNESS_TEST(authorization_code_flow),
    HARNESS_TEST(authorize_refusals),
    HARNESS_TEST(code_replay_and_pkce_failure),
    HARNESS_TEST(refresh_by_another_client),
    HARNESS_TEST(client_credentials),
    HARNESS_TEST(revocation),
    HARNESS_TEST(introspection_and_locate),
    HARNESS_TEST(engine_token),
    HARNESS_TEST(issuer_argument_errors),
    HARNESS_TEST(threads),
    HARNESS_TEST(free_null),
};

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
