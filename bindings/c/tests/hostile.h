/* The hostile tokens of tests/data/hostile/tokens.txt (written by tests/hostile.rs), for the C
 * and C++ tests: every member of every token carries the marker QXMARKQX, and the detail texts
 * the library writes about them must never contain it (issue 14 §2). Each line of the file is
 * the result code the Rust verifier gives, a space, and the token. The verifier they are
 * checked with: HS256 over the secret "tessera-hostile-token-test-secret" as a one-key JWKS
 * (HOSTILE_JWKS), issuer https://as.example, audience api, subject user-1, typ at+jwt,
 * required claim scope, max age 3600 s, at now = 1800000000. */

#ifndef TESSERA_TEST_HOSTILE_H
#define TESSERA_TEST_HOSTILE_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tests/c_bindings.rs passes the absolute path; run-sanitizers.sh runs from the repository. */
#ifndef TESSERA_TEST_DATA
#define TESSERA_TEST_DATA "tests/data"
#endif

static const char HOSTILE_JWKS[] =
    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"alg\":\"HS256\","
    "\"k\":\"dGVzc2VyYS1ob3N0aWxlLXRva2VuLXRlc3Qtc2VjcmV0\"}]}";

/* Whether `text` (n bytes) carries the marker or a piece of it, in any case. */
static int hostile_copies_marker(const uint8_t *text, size_t n) {
  static const char *const pieces[] = {"XMARK", "MARKQ"};
  for (size_t p = 0; p < 2; p++) {
    size_t m = strlen(pieces[p]);
    for (size_t i = 0; i + m <= n; i++) {
      size_t j = 0;
      while (j < m && toupper(text[i + j]) == pieces[p][j]) j++;
      if (j == m) return 1;
    }
  }
  return 0;
}

/* Calls `fn` for each token of the file; returns how many, or -1 when the file cannot be read. */
static long hostile_each(void (*fn)(unsigned long code, const char *token, size_t len, void *ctx),
                         void *ctx) {
  FILE *f = fopen(TESSERA_TEST_DATA "/hostile/tokens.txt", "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", TESSERA_TEST_DATA "/hostile/tokens.txt");
    return -1;
  }
  size_t cap = 1u << 17;
  char *line = (char *)malloc(cap);
  long count = 0;
  while (line != NULL && fgets(line, (int)cap, f) != NULL) {
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    char *space = strchr(line, ' ');
    if (space == NULL) {
      count = -1;
      break;
    }
    unsigned long code = strtoul(line, NULL, 10);
    fn(code, space + 1, len - (size_t)(space + 1 - line), ctx);
    count++;
  }
  free(line);
  fclose(f);
  return count;
}

#endif
