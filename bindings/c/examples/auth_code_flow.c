/* auth_code_flow: the OAuth 2.0 authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636),
 * end to end in one process: client, authorization server (tessera_issuer), resource server.
 *
 * Build from the repository root after `cargo build --release`:
 *   cc -std=c11 -Wall -Iinclude -o auth_code_flow bindings/c/examples/auth_code_flow.c \
 *      -Ltarget/release -ltessera -Wl,-rpath,"$PWD/target/release"
 * Run: ./auth_code_flow   (prints each step; exits 1 at the first unexpected result)
 *
 * The issuer is pure: the host keeps each outcome's "state" in its database (here: a
 * variable) and applies its "effects" before answering. JSON is read with strstr() to stay
 * short; use a JSON parser in real code. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tessera.h"

#define STR(s) (const uint8_t *)(s), strlen(s)
#define CALLBACK "https%3A%2F%2Fapp.example%2Fcb" /* https://app.example/cb, form-encoded */

static const char POLICY[] = "{\"issuer\":\"https://as.example\",\"audiences\":[\"api\"]}";
static const char APP[] = /* the registration the host stores for client "app" */
    "{\"client_id\":\"app\",\"kind\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
    "\"allowed_scope\":\"read write\",\"grant_types\":[\"authorization_code\",\"refresh_token\"]}";

static char out[16384]; /* every output lands here; outputs are not NUL-terminated */
static size_t out_len;
#define OUT (uint8_t *)out, sizeof out - 1, &out_len

/* Exits on a failed call; otherwise NUL-terminates the output. */
static void ok(const char *what, tessera_result rc) {
  if (rc != TESSERA_RESULT_OK) {
    fprintf(stderr, "%s: %s (%s)\n", what, tessera_result_name(rc), tessera_result_str(rc));
    exit(1);
  }
  out[out_len] = '\0';
}

static void expect(const char *needle) {
  if (!strstr(out, needle)) {
    fprintf(stderr, "expected %s in %s\n", needle, out);
    exit(1);
  }
}

static char *copy(const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (!c) exit(1);
  memcpy(c, s, n);
  c[n] = '\0';
  return c;
}

/* A malloc'd copy of the first member `name` of the output: a string's text or an object. */
static char *member(const char *name) {
  char key[64];
  const char *v, *end;
  int depth = 0, in_string = 0;
  snprintf(key, sizeof key, "\"%s\":", name);
  if (!(v = strstr(out, key))) return NULL;
  v += strlen(key);
  if (*v == '"') {
    end = strchr(++v, '"'); /* the strings read here have no escapes */
  } else if (*v == '{') {
    for (end = v; *end; end++) {
      if (*end == '"' && end[-1] != '\\') in_string = !in_string;
      if (!in_string && *end == '{') depth++;
      if (!in_string && *end == '}' && --depth == 0) break;
    }
    end++;
  } else {
    return NULL;
  }
  return copy(v, (size_t)(end - v));
}

/* The token endpoint: parse the form body, run the grant on the stored state, store the new
 * state (a refusal can carry one too: a revoked family). The outcome is left in `out`. */
static void token_endpoint(const tessera_issuer *as, char **state, const char *body) {
  char *request, *auth;
  ok("token request", tessera_token_request_parse(STR(body), NULL, OUT));
  request = member("request"), auth = member("client_auth");
  ok("token endpoint", tessera_issuer_token(as, STR(APP), STR(auth), STR(*state), STR(request),
                                            (int64_t)time(NULL), OUT));
  free(request), free(auth), free(*state);
  *state = member("state");
}

int main(void) {
  tessera_key *key = NULL, *public_key = NULL;
  tessera_peppers *peppers = NULL;
  tessera_issuer *as = NULL;
  tessera_verifier_builder *policy = NULL;
  tessera_verifier *rs = NULL;
  tessera_verified *claims = NULL;
  char verifier[64], challenge[64], query[512], body[1024];
  char *request, *state, *location, *code, *access, *refresh;

  /* Authorization server, at start-up: signing key, lookup-hash pepper, grant policy. */
  ok("key", tessera_key_generate("ES256", &key));
  ok("peppers", tessera_peppers_new("p1", STR("example pepper: 32+ random bytes!"), &peppers));
  ok("issuer", tessera_issuer_new(STR(POLICY), key, peppers, &as));

  /* 1. The client makes a PKCE pair and sends the user to the authorization endpoint; the
   *    user logs in and approves; the issuer grants a code (a new family, state version 1). */
  ok("verifier", tessera_pkce_verifier_new(OUT));
  memcpy(verifier, out, out_len + 1);
  ok("challenge", tessera_pkce_challenge(STR(verifier), OUT));
  memcpy(challenge, out, out_len + 1);
  snprintf(query, sizeof query, "response_type=code&client_id=app&redirect_uri=%s&scope=read"
           "&state=xyz&code_challenge=%s&code_challenge_method=S256", CALLBACK, challenge);

  ok("authorize request", tessera_authorize_request_parse(STR(query), OUT));
  request = copy(out, out_len);
  ok("authorize", tessera_issuer_authorize(as, STR(APP), STR(request), "user-42",
                                           (int64_t)time(NULL), OUT));
  expect("\"outcome\":\"granted\"");
  state = member("state");
  location = member("location");
  printf("1. authorize: redirect to %s\n", location);
  code = strstr(location, "code=") + 5;
  code[strcspn(code, "&")] = '\0';

  /* 2. The client redeems the code with its verifier. */
  snprintf(body, sizeof body, "grant_type=authorization_code&code=%s&redirect_uri=%s"
           "&code_verifier=%s&client_id=app", code, CALLBACK, verifier);
  token_endpoint(as, &state, body);
  expect("\"ok\":true");
  access = member("access_token"), refresh = member("refresh_token");
  printf("2. token: access token of %zu bytes, refresh token %.10s...\n", strlen(access), refresh);

  /* 3. A resource server checks the access token with the issuer's public key. */
  ok("public key", tessera_key_public(key, &public_key));
  ok("policy", tessera_verifier_builder_new(&policy));
  ok("iss", tessera_verifier_builder_add_issuer(policy, "https://as.example"));
  ok("aud", tessera_verifier_builder_add_audience(policy, "api"));
  ok("typ", tessera_verifier_builder_set_typ(policy, "at+jwt"));
  ok("verifier", tessera_verifier_new_with_key(policy, public_key, &rs));
  ok("verify", tessera_verify_full(rs, STR(access), (int64_t)time(NULL), &claims));
  ok("sub", tessera_verified_sub(claims, OUT));
  printf("3. resource server: valid access token for %s", out);
  ok("scope", tessera_verified_claim(claims, "scope", OUT));
  printf(", scope %s\n", out);

  /* 4. The refresh token rotates; 5. replaying the old one revokes the whole family. */
  snprintf(body, sizeof body, "grant_type=refresh_token&refresh_token=%s&client_id=app", refresh);
  token_endpoint(as, &state, body);
  expect("\"ok\":true");
  expect("\"version\":3");
  printf("4. refresh: new refresh token, state version 3\n");
  token_endpoint(as, &state, body);
  expect("\"ok\":false");
  expect("\"error\":\"invalid_grant\"");
  expect("\"reason\":\"refresh_reuse\"");
  expect("\"state\":\"revoked\"");
  printf("5. replayed refresh token: invalid_grant, family revoked\n");

  free(state), free(location), free(request), free(access), free(refresh);
  tessera_verified_free(claims);
  tessera_verifier_free(rs);
  tessera_verifier_builder_free(policy);
  tessera_issuer_free(as);
  tessera_peppers_free(peppers);
  tessera_key_free(public_key);
  tessera_key_free(key);
  return 0;
}
