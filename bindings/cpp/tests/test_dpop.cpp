// Tests of the DPoP side of bindings/cpp/tessera.hpp (tessera::dpop): proofs made and
// validated, the RFC 9449 §4.1 example, exceptions with the rule's code, the nonce flow, the
// replay cache (also across threads), check_binding for Bearer, DPoP and certificates, RAII and
// moves.
//
// Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
//   g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/cpp -Ibindings/c/tests
//       -o test_dpop_cpp bindings/cpp/tests/test_dpop.cpp target/debug/libtessera.a
//       -lgcc_s -lutil -lrt -lpthread -lm -ldl
// Run: ./test_dpop_cpp [test names...]

#include "tessera.hpp"

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "harness.h"
#include "json_path.h"

namespace {

namespace dpop = tessera::dpop;

constexpr std::int64_t NOW = 1800000000;
constexpr const char *TOKEN_URL = "https://server.example.com/token";
constexpr const char *API_URL = "https://api.example/v1/me";
// RFC 9449 §4.1 Figure 3 (tests/data/rfc9449/examples.json).
constexpr const char *RFC_PROOF =
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0"
    "VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10"
    "NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoi"
    "UE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-"
    "GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
constexpr std::int64_t RFC_IAT = 1562262616;
constexpr const char *RFC_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

#define CHECK_THROWS(expr, want) \
  check_throws(__FILE__, __LINE__, #expr, [&] { (void)(expr); }, (want))

#define GUARD(...)                                                                      \
  try {                                                                                 \
    __VA_ARGS__                                                                         \
  } catch (const std::exception &e_) {                                                  \
    harness_fail(__FILE__, __LINE__);                                                   \
    std::fprintf(stderr, "unexpected exception: %s\n", e_.what());                      \
  }

template <class T>
constexpr bool move_only = !std::is_copy_constructible_v<T> && !std::is_copy_assignable_v<T> &&
                           std::is_nothrow_move_constructible_v<T> &&
                           std::is_nothrow_move_assignable_v<T>;
static_assert(move_only<dpop::NonceIssuer>);
static_assert(move_only<dpop::Validator>);
static_assert(move_only<dpop::Proof>);
static_assert(move_only<dpop::ReplayCache>);

std::string str(const std::string &json, const char *path) {
  size_t n = 0;
  const char *v = json_at(json.data(), json.size(), path, &n);
  if (!v || n < 2 || v[0] != '"') return "<absent>";
  return std::string(v + 1, n - 2);
}

void check_eq(const char *file, int line, const char *expr, const std::string &got,
              std::string_view want) {
  harness_checks++;
  if (got != want) {
    harness_fail(file, line);
    std::fprintf(stderr, "%s is \"%s\", expected \"%.*s\"\n", expr, got.c_str(),
                 static_cast<int>(want.size()), want.data());
  }
}
#define CHECK_EQ(got, want) check_eq(__FILE__, __LINE__, #got, (got), (want))

template <class F>
void check_throws(const char *file, int line, const char *expr, F &&f, tessera_result want) {
  harness_checks++;
  try {
    f();
    harness_fail(file, line);
    std::fprintf(stderr, "%s did not throw\n", expr);
  } catch (const tessera::Error &e) {
    if (e.code() != want) {
      harness_fail(file, line);
      std::fprintf(stderr, "%s threw %s, expected %s\n", expr, e.name(), tessera_result_name(want));
    }
  }
}

void test_round_trip() {
  GUARD({
    auto key = tessera::Key::generate("ES256");
    dpop::Validator v;
    std::string proof = dpop::create_proof(key, "POST", TOKEN_URL, NOW);
    dpop::Proof p = v.validate(proof, "POST", TOKEN_URL, NOW);
    CHECK_EQ(p.jkt(), key.thumbprint());
    std::string json = p.json();
    CHECK_EQ(str(json, "htu"), TOKEN_URL);
    CHECK_EQ(str(json, "alg"), "ES256");
    CHECK(v.algorithms().find("EdDSA") != std::string::npos);
    CHECK(!v.nonce(NOW).has_value());
    CHECK_THROWS(v.validate(proof, "GET", TOKEN_URL, NOW), TESSERA_RESULT_DPOP_METHOD);
    CHECK_THROWS(v.validate(proof, "POST", TOKEN_URL, NOW + 61), TESSERA_RESULT_DPOP_IAT);
    CHECK_THROWS(v.validate("x.y.z", "POST", TOKEN_URL, NOW), TESSERA_RESULT_DPOP_MALFORMED);
    // With an access token.
    std::string at = "an-access-token";
    std::string with_ath = dpop::create_proof(key, "GET", API_URL, NOW, {}, at);
    dpop::Proof q = v.validate(with_ath, "GET", API_URL, NOW, at);
    CHECK(q);
    CHECK_THROWS(v.validate(with_ath, "GET", API_URL, NOW, "other"), TESSERA_RESULT_DPOP_ATH);
    CHECK_EQ(dpop::ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
             "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    // Settings.
    dpop::Validator ed(R"({"algorithms":["EdDSA"]})");
    CHECK_EQ(ed.algorithms(), "EdDSA");
    CHECK_THROWS(ed.validate(proof, "POST", TOKEN_URL, NOW), TESSERA_RESULT_DPOP_ALGORITHM);
    CHECK_THROWS(dpop::Validator(R"({"algorithms":["HS256"]})"), TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(dpop::Validator("{"), TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(dpop::create_proof(key.public_key(), "POST", TOKEN_URL, NOW),
                 TESSERA_RESULT_NOT_PRIVATE_KEY);
    CHECK_THROWS(dpop::create_proof(key, "POST", std::string_view("https://a\0b", 11), NOW),
                 TESSERA_RESULT_INVALID_ARGUMENT);
    // Moves leave an empty handle that throws NULL_POINTER.
    dpop::Proof moved = std::move(p);
    CHECK(moved && !p);
    CHECK_THROWS(p.jkt(), TESSERA_RESULT_NULL_POINTER);
    CHECK_EQ(moved.jkt(), key.thumbprint());
  })
}

void test_rfc9449_example() {
  GUARD({
    dpop::Validator v("{}");
    dpop::Proof p = v.validate(RFC_PROOF, "POST", TOKEN_URL, RFC_IAT);
    CHECK_EQ(p.jkt(), RFC_JKT);
    CHECK_EQ(str(p.json(), "jti"), "-BwC3ESc6acc2lTc");
    std::string tampered = RFC_PROOF;
    auto i = tampered.rfind('.') + 8;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    CHECK_THROWS(v.validate(tampered, "POST", TOKEN_URL, RFC_IAT), TESSERA_RESULT_DPOP_SIGNATURE);
  })
}

void test_nonce_flow() {
  GUARD({
    std::string secret(32, 'n');
    dpop::NonceIssuer issuer(secret, 300);
    dpop::Validator v({}, &issuer);
    auto key = tessera::Key::generate("EdDSA");
    std::string first = dpop::create_proof(key, "POST", TOKEN_URL, NOW);
    CHECK_THROWS(v.validate(first, "POST", TOKEN_URL, NOW), TESSERA_RESULT_DPOP_NONCE_REQUIRED);
    auto nonce = v.nonce(NOW);
    CHECK(nonce.has_value() && *nonce == issuer.nonce(NOW));
    std::string retry = dpop::create_proof(key, "POST", TOKEN_URL, NOW, *nonce);
    CHECK_EQ(str(v.validate(retry, "POST", TOKEN_URL, NOW).json(), "nonce"), *nonce);
    std::string forged = dpop::create_proof(key, "POST", TOKEN_URL, NOW, "forged");
    CHECK_THROWS(v.validate(forged, "POST", TOKEN_URL, NOW), TESSERA_RESULT_DPOP_NONCE_INVALID);
    CHECK(issuer.check(*nonce, NOW + 300));
    CHECK(!issuer.check(*nonce, NOW + 600));
    CHECK_THROWS(dpop::NonceIssuer("short"), TESSERA_RESULT_WEAK_KEY);
  })
}

void test_replay() {
  GUARD({
    auto key = tessera::Key::generate("ES256");
    dpop::Validator v;
    dpop::ReplayCache cache(1000);
    std::string proof = dpop::create_proof(key, "POST", TOKEN_URL, NOW);
    CHECK(cache.check_proof(v.validate(proof, "POST", TOKEN_URL, NOW), NOW));
    CHECK(!cache.check_proof(v.validate(proof, "POST", TOKEN_URL, NOW + 1), NOW + 1));
    CHECK(cache.check_and_record("client", "jti", NOW + 60, NOW));
    CHECK(!cache.check_and_record("client", "jti", NOW + 60, NOW + 1));
    auto stats = cache.stats();
    CHECK(stats.len == 2 && stats.capacity >= 1000 && stats.evicted_live == 0);
    CHECK_THROWS(dpop::ReplayCache(0), TESSERA_RESULT_INVALID_ARGUMENT);

    dpop::ReplayCache shared(100000);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
      threads.emplace_back([&] {
        for (int i = 0; i < 200; i++)
          if (shared.check_and_record("s", std::to_string(i), NOW + 60, NOW)) accepted++;
      });
    for (auto &t : threads) t.join();
    CHECK(accepted == 200);
  })
}

void test_check_binding() {
  GUARD({
    auto key = tessera::Key::generate("ES256");
    dpop::Validator v;
    std::string proof = dpop::create_proof(key, "GET", API_URL, NOW, {}, "at");
    dpop::Proof p = v.validate(proof, "GET", API_URL, NOW, "at");
    std::string bound = R"({"cnf":{"jkt":")" + p.jkt() + R"("}})";
    auto cnf = dpop::check_binding(bound, &p, {}, true);
    CHECK(cnf.has_value() && str(*cnf, "jkt") == p.jkt());
    CHECK_THROWS(dpop::check_binding(bound), TESSERA_RESULT_DPOP_BOUND_TOKEN);
    CHECK_THROWS(dpop::check_binding(std::string(R"({"cnf":{"jkt":")") + RFC_JKT + "\"}}", &p),
                 TESSERA_RESULT_DPOP_KEY_MISMATCH);
    CHECK(!dpop::check_binding(R"({"sub":"a"})").has_value());
    CHECK_THROWS(dpop::check_binding(R"({"sub":"a"})", nullptr, {}, true),
                 TESSERA_RESULT_UNBOUND_TOKEN);
    // mTLS
    const std::string cert("\x30\x03\x02\x01\x05", 5);
    std::string x5t = dpop::certificate_thumbprint(cert);
    std::string mtls = R"({"cnf":{"x5t#S256":")" + x5t + R"("}})";
    CHECK(dpop::check_binding(mtls, nullptr, cert).has_value());
    CHECK_THROWS(dpop::check_binding(mtls), TESSERA_RESULT_CERTIFICATE_MISMATCH);
    CHECK_THROWS(dpop::certificate_thumbprint("junk"), TESSERA_RESULT_INVALID_ARGUMENT);
    // A verified access token.
    auto as = tessera::Key::generate("ES256");
    std::string claims = R"({"exp":1800000060,"cnf":{"jkt":")" + p.jkt() + R"("}})";
    auto verifier = tessera::VerifierBuilder().build(as);
    auto verified = verifier.verify_full(as.sign(claims), NOW);
    CHECK(dpop::check_binding(verified, &p).has_value());
    CHECK_THROWS(dpop::check_binding(verified), TESSERA_RESULT_DPOP_BOUND_TOKEN);
  })
}

}  // namespace

static const struct harness_test TESTS[] = {
    HARNESS_TEST(round_trip),
    HARNESS_TEST(rfc9449_example),
    HARNESS_TEST(nonce_flow),
    HARNESS_TEST(replay),
    HARNESS_TEST(check_binding),
};

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
