/* issue_token: an authorization server signs an RFC 9068 access token with tessera.
 *
 * Build from the repository root after `cargo build --release`:
 *   cc -std=c11 -Wall -Iinclude -o issue_token bindings/c/examples/issue_token.c \
 *      -Ltarget/release -ltessera -Wl,-rpath,"$PWD/target/release"
 * or against an installed tessera (bindings/c/install.sh):
 *   cc -std=c11 -o issue_token issue_token.c $(pkg-config --cflags --libs tessera)
 *
 * Usage: issue_token JWKS_OUT [PRIVATE_KEY.pem ALG]
 *   Generates an ES256 key (or loads PRIVATE_KEY.pem bound to ALG, e.g. RS256), writes its
 *   public JWKS to JWKS_OUT (what the server would serve at its jwks_uri) and prints a token. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tessera.h"

static int fail(const char *what, tessera_result rc) {
  fprintf(stderr, "%s: %s (%s)\n", what, tessera_result_name(rc), tessera_result_str(rc));
  return 1;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = f ? malloc(65536) : NULL;
  *len = data ? fread(data, 1, 65536, f) : 0;
  if (f) fclose(f);
  return data;
}

int main(int argc, char **argv) {
  tessera_key *loaded = NULL, *key = NULL;
  tessera_result rc;
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: %s JWKS_OUT [PRIVATE_KEY.pem ALG]\n", argv[0]);
    return 2;
  }

  /* 1. A signing key, loaded or generated. The key decides the algorithm of every token. */
  if (argc == 4) {
    size_t pem_len;
    char *pem = read_file(argv[2], &pem_len);
    if (!pem) return perror(argv[2]), 1;
    rc = tessera_key_from_pem((const uint8_t *)pem, pem_len, argv[3], &loaded);
    free(pem);
  } else {
    rc = tessera_key_generate("ES256", &loaded);
  }
  if (rc != TESSERA_RESULT_OK) return fail("key", rc);
  rc = tessera_key_with_kid(loaded, "example-1", &key); /* verifiers pick keys by kid */
  tessera_key_free(loaded);
  if (rc != TESSERA_RESULT_OK) return fail("kid", rc);

  /* 2. The public JWKS: ask for the size with (NULL, 0), then allocate exactly. */
  {
    size_t len = 0;
    uint8_t *jwks;
    FILE *out;
    rc = tessera_jwks((const tessera_key *const *)&key, 1, NULL, 0, &len);
    if (rc != TESSERA_RESULT_BUFFER_TOO_SMALL) return fail("jwks size", rc);
    jwks = malloc(len);
    rc = tessera_jwks((const tessera_key *const *)&key, 1, jwks, len, &len);
    if (rc != TESSERA_RESULT_OK) return fail("jwks", rc);
    out = fopen(argv[1], "wb");
    if (!out || fwrite(jwks, 1, len, out) != len || fclose(out) != 0) return perror(argv[1]), 1;
    free(jwks);
  }

  /* 3. Sign: the claims JSON is used byte for byte; alg and kid come from the key. The host
   *    passes the clock: tessera never reads it. A fixed buffer is fine for tokens. */
  {
    long long now = (long long)time(NULL);
    static const char header[] = "{\"typ\":\"at+jwt\"}";
    char claims[512];
    uint8_t token[4096];
    size_t len = 0;
    snprintf(claims, sizeof claims,
             "{\"iss\":\"https://auth.example\",\"sub\":\"user-42\",\"aud\":\"media-api\","
             "\"iat\":%lld,\"exp\":%lld,\"scope\":\"job:read recording:read\"}",
             now, now + 300);
    rc = tessera_sign(key, (const uint8_t *)header, strlen(header), (const uint8_t *)claims,
                      strlen(claims), token, sizeof token, &len);
    if (rc != TESSERA_RESULT_OK) return fail("sign", rc);
    printf("%.*s\n", (int)len, (const char *)token);
  }
  tessera_key_free(key);
  return 0;
}
