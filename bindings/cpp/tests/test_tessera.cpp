// Tests of bindings/cpp/tessera.hpp: RAII and move semantics, exceptions with codes, the
// internal BUFFER_TOO_SMALL retry, non-throwing hot paths, batch and threads.
//
// Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
//   g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/cpp -Ibindings/c/tests
//       -o test_tessera_cpp bindings/cpp/tests/test_tessera.cpp target/debug/libtessera.a
//       -lgcc_s -lutil -lrt -lpthread -lm -ldl
// Run: ./test_tessera_cpp [test names...]

#include "tessera.hpp"

#include <atomic>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "fixtures.h"
#include "harness.h"
#include "hostile.h"

namespace {

constexpr std::int64_t NOW = 1800000000;
constexpr const char *CLAIMS =
    "{\"iss\":\"https://auth.example\",\"sub\":\"user-42\",\"aud\":\"media-api\","
    "\"iat\":1799999990,\"exp\":1800000300,\"scope\":\"job:read\"}";

// Runs `expr`, which must throw tessera::Error with `want` as its code.
#define CHECK_THROWS(expr, want)                                                        \
  do {                                                                                  \
    harness_checks++;                                                                   \
    try {                                                                               \
      (void)(expr);                                                                     \
      harness_fail(__FILE__, __LINE__);                                                 \
      std::fprintf(stderr, "%s did not throw\n", #expr);                                \
    } catch (const tessera::Error &e_) {                                                \
      if (e_.code() != (want)) {                                                        \
        harness_fail(__FILE__, __LINE__);                                               \
        std::fprintf(stderr, "%s threw %s, expected %s\n", #expr, e_.name(),            \
                     tessera_result_name(want));                                        \
      }                                                                                 \
    }                                                                                   \
  } while (0)

// Guards a test body: an unexpected exception is a failure, not a crash.
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
static_assert(move_only<tessera::Key>);
static_assert(move_only<tessera::KeySet>);
static_assert(move_only<tessera::VerifierBuilder>);
static_assert(move_only<tessera::Verifier>);
static_assert(move_only<tessera::Verified>);
static_assert(std::is_base_of_v<std::runtime_error, tessera::Error>);
static_assert(noexcept(std::declval<const tessera::Verifier &>().check("", 0)));

std::string b64_decode(std::string_view in) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto i = alphabet.find(c);
    if (c == '=' || i == std::string::npos) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(i);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string pem_body(const std::string &pem) {
  auto start = pem.find("-----\n") + 6;
  auto end = pem.find("\n-----END");
  return b64_decode(std::string_view(pem).substr(start, end - start));
}

// Whether the library runs on aws-lc-rs (ES512, ES256K, RSA key generation), else on ring.
bool on_aws_lc() { return std::string_view(tessera::backend()).substr(0, 10) == "aws-lc-rs "; }

void test_version() {
  CHECK(std::string(tessera::version()) == TESSERA_VERSION_STRING);
  std::string_view backend = tessera::backend();
  CHECK(backend == tessera_backend() && tessera::backend() == tessera::backend());
  CHECK(backend.substr(0, 5) == "ring " || on_aws_lc());
  CHECK(backend.find_first_not_of("0123456789.", backend.find(' ') + 1) == std::string_view::npos);
  CHECK(std::string(tessera::result_name(TESSERA_RESULT_EXPIRED)) == "expired");
  CHECK(std::string(tessera::result_str(0)) == "ok");
  CHECK(tessera::ok == TESSERA_RESULT_OK);
}

void test_round_trip() {
  GUARD({
    tessera::Key key = tessera::Key::generate("ES256").with_kid("k1");
    CHECK(key.alg() == "ES256" && key.kid() == "k1" && key.is_private());
    std::string token = key.sign(CLAIMS, R"({"typ":"at+jwt"})");
    tessera::Verifier v = tessera::VerifierBuilder()
                              .issuer("https://auth.example")
                              .audience("media-api")
                              .typ("at+jwt")
                              .build(tessera::KeySet::from_jwks(tessera::jwks({key})));
    CHECK(v.verify(token, NOW) == CLAIMS);
    CHECK(v.check(token, NOW) == tessera::ok);

    tessera::Verified ok = v.verify_full(token, NOW);
    CHECK(ok.claims() == CLAIMS);
    CHECK(ok.header().find("\"kid\":\"k1\"") != std::string::npos);
    CHECK(ok.iss() == "https://auth.example");
    CHECK(ok.sub() == "user-42");
    CHECK(!ok.jti().has_value());
    CHECK(ok.aud() == "[\"media-api\"]");
    CHECK(ok.exp() == 1800000300 && ok.iat() == 1799999990 && !ok.nbf());
    CHECK(ok.claim("scope") == "\"job:read\"");
    CHECK(!ok.claim("absent"));
  })
}

void test_errors() {
  GUARD({
    tessera::Key key = tessera::Key::generate("Ed25519");
    tessera::Verifier v = tessera::VerifierBuilder().build(key);
    std::string expired = key.sign("{\"exp\":1}");
    CHECK_THROWS(v.verify(expired, NOW), TESSERA_RESULT_EXPIRED);
    CHECK_THROWS(v.verify_full("a.b", NOW), TESSERA_RESULT_MALFORMED_TOKEN);
    CHECK(v.check(expired, NOW) == TESSERA_RESULT_EXPIRED);
    CHECK(v.explain(expired, NOW) == std::optional<std::string>("the token has expired"));
    CHECK(!v.explain(key.sign("{\"exp\":" + std::to_string(NOW + 60) + "}"), NOW).has_value());
    CHECK(!v.explain("", NOW).value_or("").empty());
    CHECK(v.check("", NOW) == TESSERA_RESULT_MALFORMED_TOKEN);
    try {
      v.verify(expired, NOW);
    } catch (const std::runtime_error &e) {  // catchable as a standard exception
      std::string what = e.what();
      CHECK(what.find("expired") != std::string::npos);
      CHECK(what.find(tessera_result_str(TESSERA_RESULT_EXPIRED)) != std::string::npos);
      auto *te = dynamic_cast<const tessera::Error *>(&e);
      CHECK(te && te->code() == TESSERA_RESULT_EXPIRED && std::string(te->name()) == "expired" &&
            std::string(te->description()) == tessera_result_str(TESSERA_RESULT_EXPIRED));
    }
    if (!on_aws_lc()) CHECK_THROWS(tessera::Key::generate("RS256"), TESSERA_RESULT_UNSUPPORTED);
    CHECK_THROWS(tessera::Key::generate("none"), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    CHECK_THROWS(tessera::Key::hmac("short", "HS256"), TESSERA_RESULT_WEAK_KEY);
    CHECK_THROWS(tessera::Key::from_pem(""), TESSERA_RESULT_INVALID_KEY);
    CHECK_THROWS(tessera::Key::from_jwk("{}"), TESSERA_RESULT_INVALID_KEY);
    CHECK_THROWS(tessera::Key::generate("HS256").public_key(), TESSERA_RESULT_NO_PUBLIC_KEY);
    CHECK_THROWS(key.public_key().sign("{}"), TESSERA_RESULT_NOT_PRIVATE_KEY);
    CHECK_THROWS(tessera::KeySet::from_jwks("{\"keys\":[]}"), TESSERA_RESULT_KEY_NOT_FOUND);
    CHECK_THROWS(tessera::VerifierBuilder().leeway(301).build(key),
                 TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(tessera::VerifierBuilder().algorithm("none"),
                 TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
    // A NUL inside an identifier is refused, not silently cut short.
    CHECK_THROWS(tessera::Key::generate(std::string_view("ES256\0x", 7)),
                 TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(tessera::VerifierBuilder().issuer(std::string_view("a\0b", 3)),
                 TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(v.verify_full(key.sign("{\"exp\":1800000300}"), NOW)
                     .claim(std::string_view("x\0", 2)),
                 TESSERA_RESULT_INVALID_ARGUMENT);
  })
}

// Outputs larger than the wrapper's first buffer (1024 bytes) come back whole.
// ES512 and ES256K: a round trip through the public JWK with aws-lc; with ring, the typed
// refusal.
void test_es512_es256k() {
  for (const char *alg : {"ES512", "ES256K"}) {
    if (!on_aws_lc()) {
      CHECK_THROWS(tessera::Key::generate(alg), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
      CHECK_THROWS(tessera::VerifierBuilder().algorithm(alg), TESSERA_RESULT_UNSUPPORTED_ALGORITHM);
      continue;
    }
    GUARD({
      tessera::Key key = tessera::Key::generate(alg).with_kid("k1");
      CHECK(key.alg() == alg);
      std::string token = key.sign(CLAIMS);
      tessera::Key pub = tessera::Key::from_jwk(key.public_jwk());
      CHECK(pub.alg() == alg && !pub.is_private());
      tessera::Verifier v = tessera::VerifierBuilder()
                                .issuer("https://auth.example")
                                .audience("media-api")
                                .build(tessera::KeySet::from_jwks(tessera::jwks({pub})));
      CHECK(v.verify(token, NOW) == CLAIMS);
      std::string tampered = token;
      char &c = tampered[tampered.find('.') + 3];
      c = c == 'A' ? 'B' : 'A';
      CHECK(v.check(tampered, NOW) == TESSERA_RESULT_INVALID_SIGNATURE);
      tessera::Key other = tessera::Key::generate(std::string_view(alg) == "ES512" ? "ES256K"
                                                                                  : "ES512");
      CHECK(tessera::VerifierBuilder().build(other).check(token, NOW) ==
            TESSERA_RESULT_ALGORITHM_MISMATCH);
    })
  }
  if (on_aws_lc()) {
    GUARD({
      tessera::Key rsa = tessera::Key::generate("PS256");
      CHECK(rsa.alg() == "PS256");
      tessera::Verifier v = tessera::VerifierBuilder().audience("media-api").build(rsa.public_key());
      CHECK(v.verify(rsa.sign(CLAIMS), NOW) == CLAIMS);
    })
  }
}

void test_large_outputs() {
  GUARD({
    tessera::Key rsa = tessera::Key::from_pem(RSA2048_PKCS8_PEM, "RS256");
    std::string pem = rsa.private_pem();
    CHECK(pem.size() > 1024 && pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    CHECK(pem.back() == '\n' && pem.find('\0') == std::string::npos);
    std::string big(20000, 'x');
    std::string claims = "{\"exp\":1800000300,\"blob\":\"" + big + "\"}";
    std::string token = rsa.sign(claims);
    CHECK(token.size() > 20000);
    tessera::Verifier v = tessera::VerifierBuilder().max_token_len(65536).build(rsa.public_key());
    CHECK(v.verify(token, NOW) == claims);
    CHECK(v.verify_full(token, NOW).claim("blob") == "\"" + big + "\"");
  })
}

void test_keys() {
  GUARD({
    // Binary DER (with NUL bytes) goes through std::string_view intact.
    tessera::Key ec = tessera::Key::generate("ES384");
    std::string der = pem_body(ec.private_pem());
    CHECK(der.find('\0') != std::string::npos);
    tessera::Key back = tessera::Key::from_der(der);
    CHECK(back.thumbprint() == ec.thumbprint() && back.alg() == "ES384");
    CHECK(tessera::Key::from_pem(ec.public_pem()).public_jwk() == ec.public_jwk());
    CHECK(tessera::Key::from_jwk(ec.private_jwk()).is_private());
    CHECK(!ec.public_key().is_private());

    tessera::Key rfc = tessera::Key::from_jwk(RFC7638_JWK);
    CHECK(rfc.thumbprint() == RFC7638_THUMBPRINT && rfc.kid() == "2011-04-29");

    tessera::Key hs = tessera::Key::hmac(std::string(32, '\0'), "HS256");  // NULs are bytes
    CHECK(hs.alg() == "HS256" && hs.private_jwk().find("\"k\":\"AAAA") != std::string::npos);

    // Deterministic signatures reproduce RFC 8037 A.4; verify_jws returns the payload.
    tessera::Key ed = tessera::Key::from_jwk(RFC8037_PRIVATE_JWK);
    CHECK(ed.sign_jws(RFC8037_HEADER, RFC8037_PAYLOAD) == RFC8037_TOKEN);
    tessera::Verifier v = tessera::VerifierBuilder().build(tessera::Key::from_jwk(RFC8037_PUBLIC_JWK));
    CHECK(v.verify_jws(RFC8037_TOKEN) == RFC8037_PAYLOAD);

    // Key sets from keys, in both spellings.
    tessera::Key a = tessera::Key::generate("ES256").with_kid("a");
    tessera::Key b = tessera::Key::generate("Ed25519").with_kid("b");
    tessera::KeySet set = tessera::KeySet::from_keys({a, b});
    CHECK(set.size() == 2);
    std::vector<tessera::Key> keys;
    keys.push_back(a.public_key());
    keys.push_back(b.public_key());
    CHECK(tessera::KeySet::from_keys(keys).size() == 2);
    CHECK(tessera::jwks(keys) == tessera::jwks({a, b}));
    CHECK(tessera::KeySet::from_jwks(set.to_jwks()).size() == 2);
  })
}

void test_moves() {
  GUARD({
    tessera::Key key = tessera::Key::generate("HS256");
    tessera::Key moved = std::move(key);
    CHECK(!key && moved);  // NOLINT: reading a moved-from handle is defined: it is empty
    CHECK_THROWS(key.alg(), TESSERA_RESULT_NULL_POINTER);
    CHECK(moved.alg() == "HS256");
    key = std::move(moved);
    CHECK(key && !moved);

    tessera::VerifierBuilder builder;
    builder.issuer("i").require_exp(false);
    tessera::VerifierBuilder other = std::move(builder);
    CHECK_THROWS(builder.audience("a"), TESSERA_RESULT_NULL_POINTER);
    tessera::Verifier v = other.build(key);
    tessera::Verifier w = std::move(v);
    CHECK(v.check("a.b.c", NOW) == TESSERA_RESULT_NULL_POINTER);  // noexcept even when empty
    CHECK(w.check(key.sign("{\"iss\":\"i\"}"), NOW) == tessera::ok);

    // Ownership passes to and from the C API.
    tessera_key *raw = nullptr;
    CHECK_OK(tessera_key_generate("ES256", &raw));
    tessera::Key adopted = tessera::Key::adopt(raw);
    CHECK(adopted.get() == raw && adopted.alg() == "ES256");
    tessera_key *released = adopted.release();
    CHECK(released == raw && !adopted);
    tessera_key_free(released);
  })
}

void test_policy() {
  GUARD({
    tessera::Key key = tessera::Key::generate("ES256");
    auto verdict = [&](tessera::VerifierBuilder &b, const std::string &claims,
                       std::string_view header = {}) {
      return b.build(key).check(key.sign(claims, header), NOW);
    };
    tessera::VerifierBuilder b1;
    b1.subject("s").accept_any_audience().max_age(60).leeway(0);
    CHECK(verdict(b1, "{\"sub\":\"s\",\"aud\":\"x\",\"iat\":1800000000,\"exp\":1800000001}") ==
          tessera::ok);
    CHECK(verdict(b1, "{\"sub\":\"t\",\"iat\":1800000000,\"exp\":1800000001}") ==
          TESSERA_RESULT_SUBJECT_MISMATCH);
    CHECK(verdict(b1, "{\"sub\":\"s\",\"iat\":1799999000,\"exp\":1800000001}") ==
          TESSERA_RESULT_TOO_OLD);
    tessera::VerifierBuilder b2;
    b2.typ("at+jwt").require_claim("scope").critical("x-ext").algorithm("ES256");
    CHECK(verdict(b2, "{\"scope\":\"a\",\"exp\":1800000001}",
                  R"({"typ":"at+jwt","crit":["x-ext"],"x-ext":1})") == tessera::ok);
    CHECK(verdict(b2, "{\"exp\":1800000001}", R"({"typ":"at+jwt"})") ==
          TESSERA_RESULT_MISSING_CLAIM);
    CHECK(verdict(b2, "{\"scope\":\"a\",\"exp\":1800000001}", R"({"typ":"JWT"})") ==
          TESSERA_RESULT_TYPE_MISMATCH);
    tessera::VerifierBuilder b3;
    b3.max_header_len(8);
    CHECK(verdict(b3, "{\"exp\":1800000001}") == TESSERA_RESULT_TOO_LARGE);
    tessera::VerifierBuilder b4;
    b4.max_claims(2);
    CHECK(verdict(b4, "{\"sub\":\"s\",\"exp\":1800000001}") == tessera::ok);
    CHECK(verdict(b4, "{\"sub\":\"s\",\"jti\":\"j\",\"exp\":1800000001}") ==
          TESSERA_RESULT_TOO_LARGE);
  })
}

// Issue 14 §2: Verifier::explain on every hostile token (tests/data/hostile/tokens.txt):
// the Rust verdict, at most tessera::max_detail_len bytes, exactly the bytes the library wrote
// (no stack bytes, no NULs), nothing of the token.
void hostile_one(unsigned long code, const char *token, size_t len, void *ctx) {
  const tessera::Verifier &v = *static_cast<const tessera::Verifier *>(ctx);
  std::string_view t(token, len);
  CHECK(static_cast<unsigned long>(v.check(t, NOW)) == code);
  std::optional<std::string> why = v.explain(t, NOW);
  CHECK(why.has_value());
  if (!why) return;
  CHECK(!why->empty() && why->size() <= tessera::max_detail_len);
  CHECK(why->find('\0') == std::string::npos);
  CHECK(!hostile_copies_marker(reinterpret_cast<const uint8_t *>(why->data()), why->size()));
}

void test_hostile_details() {
  GUARD({
    tessera::VerifierBuilder b;
    b.issuer("https://as.example").audience("api").subject("user-1").typ("at+jwt");
    b.require_claim("scope").max_age(3600);
    tessera::Verifier v = b.build(tessera::KeySet::from_jwks(HOSTILE_JWKS));
    CHECK(hostile_each(hostile_one, &v) >= 70);
  })
}

void test_batch_and_threads() {
  GUARD({
    tessera::Key key = tessera::Key::generate("HS512");
    const tessera::Verifier v = tessera::VerifierBuilder().audience("api").build(key);
    std::string good = key.sign("{\"aud\":[\"api\"],\"exp\":1800000300}");
    std::string wrong_aud = key.sign("{\"aud\":\"web\",\"exp\":1800000300}");
    std::string forged = tessera::Key::generate("HS512").sign("{\"aud\":\"api\",\"exp\":1800000300}");

    std::vector<std::string> tokens;
    std::vector<tessera_result> want;
    for (int i = 0; i < 150; i++) {
      const std::string *t[] = {&good, &wrong_aud, &forged};
      static const tessera_result codes[] = {tessera::ok, TESSERA_RESULT_AUDIENCE_MISMATCH,
                                             TESSERA_RESULT_INVALID_SIGNATURE};
      tokens.push_back(*t[i % 3]);
      want.push_back(codes[i % 3]);
    }
    CHECK(v.check_batch(tokens, NOW) == want);
    CHECK(v.check_batch(tokens, NOW, 1) == want);
    std::vector<std::string_view> views(tokens.begin(), tokens.end());
    CHECK(v.check_batch(views, NOW, 3) == want);
    auto small = v.check_batch({good, "", forged}, NOW);
    CHECK(small.size() == 3 && small[0] == tessera::ok &&
          small[1] == TESSERA_RESULT_MALFORMED_TOKEN && small[2] == TESSERA_RESULT_INVALID_SIGNATURE);
    CHECK(v.check_batch(std::vector<std::string>{}, NOW).empty());

    // One verifier, many threads.
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; i++) {
          try {
            if (v.check(good, NOW) != tessera::ok || v.check(forged, NOW) == tessera::ok ||
                v.verify_full(good, NOW).aud() != "[\"api\"]" ||
                v.check(key.sign("{\"aud\":\"api\",\"exp\":1800000300}"), NOW) != tessera::ok)
              failures++;
          } catch (...) {
            failures++;
          }
        }
      });
    }
    for (auto &t : threads) t.join();
    CHECK(failures == 0);
  })
}

const harness_test TESTS[] = {
    HARNESS_TEST(version),         HARNESS_TEST(round_trip), HARNESS_TEST(errors),
    HARNESS_TEST(large_outputs),   HARNESS_TEST(keys),       HARNESS_TEST(moves),
    HARNESS_TEST(policy),          HARNESS_TEST(batch_and_threads), HARNESS_TEST(hostile_details),
    HARNESS_TEST(es512_es256k),
};

}  // namespace

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
