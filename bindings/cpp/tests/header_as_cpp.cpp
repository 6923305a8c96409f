// The C header on its own, compiled as C++ (no wrapper): it must be self-contained, put its
// functions in extern "C", and give tessera_result a fixed uint32_t underlying type.
// tests/c_bindings.rs compiles this with g++ -std=c++11/14/17/20 -Wall -Wextra -Wpedantic -Werror,
// links it against the library and runs it.
#include "tessera.h"

#include <cstring>
#include <type_traits>

static_assert(std::is_same<std::underlying_type<tessera_result>::type, uint32_t>::value,
              "tessera_result is a uint32_t in C++ as in C");
static_assert(sizeof(tessera_result) == sizeof(uint32_t), "ABI size of result codes");
static_assert(TESSERA_RESULT_OK == 0, "success is zero");

int main() {
  tessera_key *key = nullptr;
  tessera_result rc = tessera_key_generate("ES256", &key);
  bool ok = rc == TESSERA_RESULT_OK && key != nullptr &&
            std::strcmp(tessera_version(), TESSERA_VERSION_STRING) == 0 &&
            std::strcmp(tessera_result_name(TESSERA_RESULT_INVALID_SIGNATURE),
                        "invalid_signature") == 0;
  tessera_key_free(key);
  return ok ? 0 : 1;
}
