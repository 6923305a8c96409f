/* A tiny JSON reader for the C and C++ tests (it compiles as both): json_at() finds the value
 * at a dotted path in a JSON text — members by name, array elements by index, e.g.
 * "response.access_token" or "effects.0.effect" — and returns its raw text (start and
 * length), or NULL. No unescaping, no validation beyond what finding the value needs: the
 * tests compare what they find. */

#ifndef TESSERA_TEST_JSON_PATH_H
#define TESSERA_TEST_JSON_PATH_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline const char *json_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  return p;
}

/* The end of the JSON value starting at p (strings, objects, arrays, literals). */
static inline const char *json_skip(const char *p, const char *end) {
  int depth = 0;
  if (p >= end) return NULL;
  if (*p != '"' && *p != '{' && *p != '[') {
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') p++;
    return p;
  }
  do {
    if (*p == '"') {
      for (p++; p < end && *p != '"'; p++)
        if (*p == '\\') p++;
      if (p >= end) return NULL;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      depth--;
    }
    p++;
  } while (depth > 0 && p < end);
  return depth == 0 ? p : NULL;
}

/* The raw value at `path` ("a.b.0.c": members by name, array elements by index) in the `len`
 * bytes of JSON at p, with its length in *n; NULL (and *n = 0) when there is none. */
static inline const char *json_at(const char *p, size_t len, const char *path, size_t *n) {
  const char *end = p + len;
  *n = 0;
  while (*path) {
    char seg[64];
    size_t k = strcspn(path, ".");
    int found = 0;
    if (k >= sizeof seg) return NULL;
    memcpy(seg, path, k);
    seg[k] = '\0';
    path += k + (path[k] == '.');
    p = json_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '{') {
      p = json_ws(p + 1, end);
      while (p < end && *p == '"') {
        const char *key = p + 1, *key_end = json_skip(p, end);
        if (!key_end) return NULL;
        p = json_ws(key_end, end);
        if (p >= end || *p != ':') return NULL;
        p = json_ws(p + 1, end);
        if ((size_t)(key_end - 1 - key) == k && memcmp(key, seg, k) == 0) {
          found = 1;
          break;
        }
        if (!(p = json_skip(p, end))) return NULL;
        p = json_ws(p, end);
        if (p < end && *p == ',') p = json_ws(p + 1, end);
      }
    } else if (*p == '[') {
      char *digits_end;
      long index = strtol(seg, &digits_end, 10);
      if (*digits_end || index < 0) return NULL;
      p = json_ws(p + 1, end);
      for (; p < end && *p != ']'; index--) {
        if (index == 0) {
          found = 1;
          break;
        }
        if (!(p = json_skip(p, end))) return NULL;
        p = json_ws(p, end);
        if (p < end && *p == ',') p = json_ws(p + 1, end);
      }
    }
    if (!found) return NULL;
  }
  {
    const char *value_end = json_skip(p, end);
    if (!value_end) return NULL;
    *n = (size_t)(value_end - p);
    return p;
  }
}

#endif /* TESSERA_TEST_JSON_PATH_H */
