/* verify_token: a resource server checks an access token with tessera.
 *
 * Build from the repository root after `cargo build --release`:
 *   cc -std=c11 -Wall -Iinclude -o verify_token bindings/c/examples/verify_token.c \
 *      -Ltarget/release -ltessera -Wl,-rpath,"$PWD/target/release"
 * or against an installed tessera (bindings/c/install.sh):
 *   cc -std=c11 -o verify_token verify_token.c $(pkg-config --cflags --libs tessera)
 *
 * Usage: verify_token JWKS_FILE TOKEN
 *   Exits 0 and prints some claims when the token is valid for issuer https://auth.example,
 *   audience media-api and typ at+jwt; exits 1 with the reason when it is not. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tessera.h"

static int fail(const char *what, tessera_result rc) {
  fprintf(stderr, "%s: %s (%s)\n", what, tessera_result_name(rc), tessera_result_str(rc));
  return 1;
}

/* Prints one text output; a claim that is absent is reported, not fatal. */
static void show(const char *label, tessera_result rc, const uint8_t *buf, size_t len) {
  if (rc == TESSERA_RESULT_OK)
    printf("  %s: %.*s\n", label, (int)len, (const char *)buf);
  else
    printf("  %s: <%s>\n", label, tessera_result_name(rc));
}

int main(int argc, char **argv) {
  static char jwks[65536];
  size_t jwks_len = 0, len = 0;
  tessera_keyset *keys = NULL;
  tessera_verifier_builder *policy = NULL;
  tessera_verifier *verifier = NULL;
  tessera_verified *token = NULL;
  tessera_result rc;
  uint8_t buf[1024];
  int64_t exp = 0;
  FILE *f;
  if (argc != 3) {
    fprintf(stderr, "usage: %s JWKS_FILE TOKEN\n", argv[0]);
    return 2;
  }
  if (!(f = fopen(argv[1], "rb"))) return perror(argv[1]), 1;
  jwks_len = fread(jwks, 1, sizeof jwks, f);
  fclose(f);

  /* 1. Once at start-up: keys and policy make an immutable verifier, shareable by threads. */
  rc = tessera_keyset_from_jwks((const uint8_t *)jwks, jwks_len, NULL, &keys);
  if (rc != TESSERA_RESULT_OK) return fail("jwks", rc);
  if ((rc = tessera_verifier_builder_new(&policy)) != TESSERA_RESULT_OK ||
      (rc = tessera_verifier_builder_add_issuer(policy, "https://auth.example")) != TESSERA_RESULT_OK ||
      (rc = tessera_verifier_builder_add_audience(policy, "media-api")) != TESSERA_RESULT_OK ||
      (rc = tessera_verifier_builder_set_typ(policy, "at+jwt")) != TESSERA_RESULT_OK ||
      (rc = tessera_verifier_new_with_keyset(policy, keys, &verifier)) != TESSERA_RESULT_OK)
    return fail("verifier", rc);
  tessera_verifier_builder_free(policy); /* the verifier keeps what it needs */
  tessera_keyset_free(keys);

  /* 2. Per request: verify at the host's clock. Any failure is one code with a name. */
  rc = tessera_verify_full(verifier, (const uint8_t *)argv[2], strlen(argv[2]),
                           (int64_t)time(NULL), &token);
  if (rc != TESSERA_RESULT_OK) {
    tessera_verifier_free(verifier);
    return fail("invalid token", rc);
  }

  /* 3. Read claims from the verified result. Outputs are not NUL-terminated: use len. */
  printf("valid token\n");
  rc = tessera_verified_sub(token, buf, sizeof buf, &len);
  show("sub", rc, buf, len);
  rc = tessera_verified_aud(token, buf, sizeof buf, &len);
  show("aud", rc, buf, len);
  rc = tessera_verified_claim(token, "scope", buf, sizeof buf, &len);
  show("scope", rc, buf, len);
  rc = tessera_verified_jti(token, buf, sizeof buf, &len);
  show("jti", rc, buf, len);
  if (tessera_verified_exp(token, &exp) == TESSERA_RESULT_OK)
    printf("  expires in: %lld s\n", (long long)(exp - (int64_t)time(NULL)));

  tessera_verified_free(token);
  tessera_verifier_free(verifier);
  return 0;
}
