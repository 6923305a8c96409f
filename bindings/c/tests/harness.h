/* A tiny test harness for the tessera C and C++ tests (it compiles as both).
 *
 *   CHECK(cond)            count a check; report and continue when it fails
 *   CHECK_RC(expr, code)   expr returns `code` (names both codes when it does not)
 *   CHECK_OK(expr)         expr returns TESSERA_RESULT_OK
 *   REQUIRE_OK(expr)       as CHECK_OK, but returns from the (void) test function on failure
 *   CHECK_STR(buf, len, s) the buffer holds exactly the NUL-terminated string s
 *
 * A test file defines `static void test_xxx(void)` functions, lists them in a
 * `static const struct harness_test TESTS[]` table with HARNESS_TEST(xxx), and calls
 * `harness_main(argc, argv, TESTS, count)` from main. Arguments select tests by name.
 *
 * harness_main prints "sanitizers: asan=linked|absent ubsan=linked|absent" (checked at run
 * time: the runtime's symbols are looked up in the process) so scripts can assert that a
 * sanitized build really is sanitized, then "tessera VERSION (header VERSION) on BACKEND"
 * (`tessera_backend()`, e.g. "aws-lc-rs 1.19.0": tests/c_bindings.rs checks it is the backend
 * of its own build), and ends with "ALL n TESTS PASSED" or exits 1. */

#ifndef TESSERA_TEST_HARNESS_H
#define TESSERA_TEST_HARNESS_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"

#ifndef RTLD_DEFAULT
#define RTLD_DEFAULT ((void *)0)
#endif

struct harness_test {
  const char *name;
  void (*run)(void);
};

#define HARNESS_TEST(name) {#name, test_##name}

static const char *harness_current = "";
static unsigned long harness_checks;
static unsigned long harness_failures;

static inline int harness_fail(const char *file, int line) {
  harness_failures++;
  fprintf(stderr, "%s:%d: [%s] ", file, line, harness_current);
  return 0;
}

#define CHECK(cond)                                       \
  do {                                                    \
    harness_checks++;                                     \
    if (!(cond)) {                                        \
      harness_fail(__FILE__, __LINE__);                   \
      fprintf(stderr, "CHECK failed: %s\n", #cond);       \
    }                                                     \
  } while (0)

static inline int harness_rc(const char *file, int line, const char *expr, uint32_t got,
                             uint32_t want) {
  harness_checks++;
  if (got == want) return 1;
  harness_fail(file, line);
  fprintf(stderr, "%s\n    returned %u %s (%s), expected %u %s\n", expr, (unsigned)got,
          tessera_result_name(got), tessera_result_str(got), (unsigned)want,
          tessera_result_name(want));
  return 0;
}

#define CHECK_RC(expr, want) \
  ((void)harness_rc(__FILE__, __LINE__, #expr, (uint32_t)(expr), (uint32_t)(want)))
#define CHECK_OK(expr) CHECK_RC(expr, TESSERA_RESULT_OK)
#define REQUIRE_OK(expr)                                                                \
  do {                                                                                  \
    if (!harness_rc(__FILE__, __LINE__, #expr, (uint32_t)(expr), TESSERA_RESULT_OK)) \
      return;                                                                           \
  } while (0)

static inline int harness_str(const char *file, int line, const void *buf, size_t len,
                              const char *want) {
  harness_checks++;
  if (len == strlen(want) && (len == 0 || memcmp(buf, want, len) == 0)) return 1;
  harness_fail(file, line);
  fprintf(stderr, "got \"%.*s\" (%lu bytes), expected \"%s\"\n", (int)len, (const char *)buf,
          (unsigned long)len, want);
  return 0;
}

#define CHECK_STR(buf, len, want) ((void)harness_str(__FILE__, __LINE__, (buf), (len), (want)))

/* Whether the sanitizer runtimes are loaded into this process (not merely compiled for). */
static inline void harness_print_sanitizers(void) {
  int asan = dlsym(RTLD_DEFAULT, "__asan_init") != NULL;
  int ubsan = dlsym(RTLD_DEFAULT, "__ubsan_handle_add_overflow") != NULL;
#if defined(__SANITIZE_ADDRESS__)
  const char *compiled = "address";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  const char *compiled = "address";
#else
  const char *compiled = "none";
#endif
#else
  const char *compiled = "none";
#endif
  printf("sanitizers: asan=%s ubsan=%s (compiled with: %s)\n", asan ? "linked" : "absent",
         ubsan ? "linked" : "absent", compiled);
}

static inline int harness_main(int argc, char **argv, const struct harness_test *tests,
                               size_t count) {
  size_t ran = 0;
  harness_print_sanitizers();
  printf("tessera %s (header %s) on %s\n", tessera_version(), TESSERA_VERSION_STRING,
         tessera_backend());
  for (int a = 1; a < argc; a++) {
    int known = 0;
    for (size_t i = 0; i < count; i++) known |= strcmp(argv[a], tests[i].name) == 0;
    if (!known) {
      fprintf(stderr, "no test named %s\n", argv[a]);
      return 2;
    }
  }
  for (size_t i = 0; i < count; i++) {
    int selected = argc <= 1;
    for (int a = 1; a < argc; a++) selected |= strcmp(argv[a], tests[i].name) == 0;
    if (!selected) continue;
    unsigned long before = harness_failures;
    harness_current = tests[i].name;
    tests[i].run();
    ran++;
    printf("%s - %s\n", harness_failures == before ? "ok" : "FAILED", tests[i].name);
    fflush(stdout);
  }
  if (harness_failures) {
    printf("%lu of %lu checks FAILED\n", harness_failures, harness_checks);
    return 1;
  }
  printf("ALL %lu TESTS PASSED (%lu checks)\n", (unsigned long)ran, harness_checks);
  return 0;
}

#endif /* TESSERA_TEST_HARNESS_H */
