// Tests of the OAuth side of bindings/cpp/tessera.hpp: ScopePolicy, Scopes, Peppers and Issuer
// (RAII, moves, exceptions with codes), the token, PKCE and wire-format free functions, and an
// authorization-code flow with PKCE, refresh rotation and replay through the Issuer.
//
// Built by tests/c_bindings.rs (`cargo test`) and bindings/c/run-sanitizers.sh:
//   g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude -Ibindings/cpp -Ibindings/c/tests
//       -o test_oauth_cpp bindings/cpp/tests/test_oauth.cpp target/debug/libtessera.a
//       -lgcc_s -lutil -lrt -lpthread -lm -ldl
// Run: ./test_oauth_cpp [test names...]

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

constexpr std::int64_t NOW = 1800000000;
constexpr const char *POLICY =
    R"({"issuer":"https://as.example","audiences":["api"],)"
    R"("implications":{"rules":{"write":["read"]}}})";
constexpr const char *APP =
    R"({"client_id":"app","kind":"public","redirect_uris":["https://app.example/cb"],)"
    R"("allowed_scope":"read write","grant_types":["authorization_code","refresh_token"]})";
constexpr const char *CALLBACK = "https%3A%2F%2Fapp.example%2Fcb";
constexpr const char *PEPPER = "0123456789abcdef0123456789abcdef";

// Runs `expr`, which must throw tessera::Error with `want` as its code.
#define CHECK_THROWS(expr, want) \
  check_throws(__FILE__, __LINE__, #expr, [&] { (void)(expr); }, (want))

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
static_assert(move_only<tessera::ScopePolicy>);
static_assert(move_only<tessera::Scopes>);
static_assert(move_only<tessera::Peppers>);
static_assert(move_only<tessera::Issuer>);
static_assert(noexcept(std::declval<const tessera::Scopes &>().check(
    std::declval<const tessera::Scopes &>())));

// The raw JSON value at `path`, "" when absent.
std::string raw(const std::string &json, const char *path) {
  size_t n = 0;
  const char *v = json_at(json.data(), json.size(), path, &n);
  return v ? std::string(v, n) : std::string();
}

// The string value at `path` (without unescaping), "<absent>" when there is none.
std::string str(const std::string &json, const char *path) {
  std::string r = raw(json, path);
  if (r.size() < 2 || r.front() != '"') return "<absent>";
  return r.substr(1, r.size() - 2);
}

// `got` (a std::string) equals `want`. A function, not a macro body: it keeps the sanitized
// build of this file fast.
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

// `f` throws tessera::Error with code `want`.
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

std::string query_param(const std::string &uri, const std::string &name) {
  auto q = uri.find('?');
  while (q != std::string::npos) {
    if (uri.compare(q + 1, name.size() + 1, name + "=") == 0) {
      auto start = q + 1 + name.size() + 1;
      return uri.substr(start, uri.find('&', start) - start);
    }
    q = uri.find('&', q + 1);
  }
  return {};
}

struct As {
  tessera::Key key = tessera::Key::generate("ES256").with_kid("as-1");
  tessera::Peppers peppers{"p1", PEPPER};
  tessera::Issuer issuer{POLICY, key, peppers};
  tessera::Verifier verifier = tessera::VerifierBuilder()
                                   .issuer("https://as.example")
                                   .audience("api")
                                   .typ("at+jwt")
                                   .build(key.public_key());

  // The token endpoint as a host runs it: parse, then run the grant.
  std::string token(std::string_view client, std::string_view state, std::string_view body,
                    std::int64_t now, std::string_view authorization = {}) const {
    std::string parsed = tessera::token_request_parse(body, authorization);
    return issuer.token(client, raw(parsed, "client_auth"), state, raw(parsed, "request"), now);
  }
};

struct Family {
  std::string verifier, code, state, access, refresh;
};

Family obtain_family(const As &as) {
  Family f;
  f.verifier = tessera::pkce_verifier();
  std::string request = tessera::authorize_request_parse(
      std::string("response_type=code&client_id=app&redirect_uri=") + CALLBACK +
      "&scope=read&state=xyz&code_challenge=" + tessera::pkce_challenge(f.verifier) +
      "&code_challenge_method=S256");
  std::string granted = as.issuer.authorize(APP, request, "user-42", NOW);
  f.code = query_param(str(granted, "redirect.location"), "code");
  std::string redeemed = as.token(APP, raw(granted, "state"),
                                  "grant_type=authorization_code&code=" + f.code +
                                      "&code_verifier=" + f.verifier +
                                      "&client_id=app&redirect_uri=" + CALLBACK,
                                  NOW + 5);
  f.state = raw(redeemed, "state");
  f.access = str(redeemed, "response.access_token");
  f.refresh = str(redeemed, "response.refresh_token");
  return f;
}

void test_scopes() {
  GUARD({
    tessera::ScopePolicy policy = tessera::ScopePolicy::from_json(
        R"({"wildcard_actions":true,"superscopes":["all"],"rules":[["job:write","job:read"]]})");
    tessera::ScopePolicy none;
    tessera::Scopes granted = tessera::Scopes::parse("recording:* job:write job:write");
    tessera::Scopes requested = tessera::Scopes::parse("job:read recording:delete");
    CHECK_EQ(granted.to_string(), "job:write recording:*");
    CHECK(granted.size() == 2);
    CHECK(granted.contains("job:write") && !granted.contains("job:read"));
    CHECK(granted.covers(requested, policy));
    CHECK(!granted.covers(requested));
    CHECK(!granted.covers(requested, none));
    CHECK(granted.check(requested, policy) == tessera::ok);
    CHECK(granted.check(requested) == TESSERA_RESULT_SCOPE_NOT_GRANTED);
    CHECK_EQ(granted.narrow(requested, policy).to_string(), "job:read recording:delete");
    CHECK_THROWS(granted.narrow(requested), TESSERA_RESULT_SCOPE_NOT_GRANTED);
    tessera::Scopes wide = tessera::Scopes::parse("job:read job:write recording:* recording:read");
    CHECK_EQ(wide.reduce(policy).to_string(), "job:write recording:*");
    CHECK_EQ(wide.reduce(none).to_string(), wide.to_string());
    CHECK_EQ(wide.copy().to_string(), wide.to_string());
    CHECK(tessera::Scopes::parse("all").covers(tessera::Scopes::parse("billing:read"), policy));
    CHECK(tessera::Scopes::parse("").size() == 0);
    CHECK_EQ(tessera::Scopes::from_claims(R"({"scope":"b a","scp":["c"]})").to_string(), "a b c");
    CHECK_EQ(tessera::Scopes::from_claims("{}").to_string(), "");

    CHECK_THROWS(tessera::Scopes::parse("a  b"), TESSERA_RESULT_INVALID_SCOPE);
    CHECK_THROWS(tessera::Scopes::from_claims(R"({"scope":7})"), TESSERA_RESULT_INVALID_CLAIM_TYPE);
    CHECK_THROWS(tessera::Scopes::from_claims("[1]"), TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(tessera::ScopePolicy::from_json(R"({"surprise":1})"), TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(tessera::ScopePolicy::from_json(R"({"superscopes":["a b"]})"),
                 TESSERA_RESULT_INVALID_SCOPE);
    CHECK_THROWS(granted.contains(std::string_view("a\0b", 3)), TESSERA_RESULT_INVALID_ARGUMENT);

    // Moved-from handles are empty: using them is NULL_POINTER.
    tessera::Scopes moved = std::move(granted);
    CHECK(moved && !granted);
    CHECK_THROWS(granted.to_string(), TESSERA_RESULT_NULL_POINTER);
    CHECK(granted.check(requested) == TESSERA_RESULT_NULL_POINTER);
    CHECK(moved.covers(requested, policy));
    tessera::ScopePolicy moved_policy = std::move(policy);
    CHECK(moved_policy && !policy);
    CHECK(moved.check(requested, policy) == TESSERA_RESULT_SCOPE_NOT_GRANTED); /* NULL: none */
  })
}

void test_tokens_and_peppers() {
  GUARD({
    std::string token = tessera::token_generate("tsr", "rt");
    CHECK(token.size() == 3 + 53 && token.compare(0, 7, "tsr_rt_") == 0);
    CHECK(tessera::token_generate("tsr", "rt") != token);
    CHECK_EQ(tessera::token_check("tsr", token), "rt");
    CHECK_EQ(tessera::token_check("tsr", token, "rt"), "rt");
    CHECK_THROWS(tessera::token_check("tsr", token, "ac"), TESSERA_RESULT_WRONG_TOKEN_KIND);
    CHECK_THROWS(tessera::token_check("tsr", "tsr_rt_short"),
                 TESSERA_RESULT_MALFORMED_OPAQUE_TOKEN);
    CHECK_THROWS(tessera::token_generate("Tsr", "rt"), TESSERA_RESULT_INVALID_ARGUMENT);
    std::string typo = token;
    typo[20] = typo[20] == 'A' ? 'B' : 'A';
    CHECK_THROWS(tessera::token_check("tsr", typo), TESSERA_RESULT_TOKEN_CHECKSUM);

    tessera::Peppers old("p1", PEPPER);
    std::string stored = old.lookup(token);
    CHECK(stored.size() == 46 && stored.compare(0, 3, "p1:") == 0);
    CHECK(old.verify(token, stored));
    CHECK(!old.verify(typo, stored));
    CHECK_THROWS(old.verify(token, "not a hash"), TESSERA_RESULT_INVALID_ARGUMENT);
    tessera::Peppers set("p2", "another pepper, 32 bytes or more!");
    CHECK(!set.verify(token, stored));
    set.add_previous("p1", PEPPER);
    CHECK(set.verify(token, stored));
    CHECK_THROWS(set.add_previous("p1", PEPPER), TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_EQ(set.check_and_lookup("tsr", token, "rt"), set.lookup(token));
    CHECK(set.lookup(token).compare(0, 3, "p2:") == 0);
    CHECK_THROWS(set.check_and_lookup("tsr", token, "ac"), TESSERA_RESULT_WRONG_TOKEN_KIND);
    CHECK_THROWS(set.check_and_lookup("tsr", typo), TESSERA_RESULT_TOKEN_CHECKSUM);
    CHECK_EQ(set.client_secret_hash("s3cret"), set.lookup("s3cret"));
    CHECK_THROWS(set.client_secret_hash(""), TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(tessera::Peppers("p1", "short"), TESSERA_RESULT_WEAK_KEY);
    CHECK_THROWS(tessera::Peppers("has space", PEPPER), TESSERA_RESULT_INVALID_ARGUMENT);
    tessera::Peppers moved = std::move(set);
    CHECK(moved && !set);
    CHECK_THROWS(set.lookup(token), TESSERA_RESULT_NULL_POINTER);
    CHECK(moved.verify(token, stored));
  })
}

void test_pkce() {
  GUARD({
    // RFC 7636 Appendix B.
    const char *v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const char *c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    CHECK_EQ(tessera::pkce_challenge(v), c);
    CHECK(tessera::pkce_verify(v, c));
    CHECK(tessera::pkce_verify(v, c, "S256", true));
    std::string fresh = tessera::pkce_verifier();
    CHECK(fresh.size() == 43 && fresh != tessera::pkce_verifier());
    CHECK(tessera::pkce_verify(fresh, tessera::pkce_challenge(fresh)));
    CHECK(!tessera::pkce_verify(fresh, c));
    CHECK(tessera::pkce_verify(v, v, "plain", true));
    CHECK_THROWS(tessera::pkce_verify(v, v, "plain"), TESSERA_RESULT_INVALID_PKCE);
    CHECK_THROWS(tessera::pkce_verify(v, c, "s256"), TESSERA_RESULT_INVALID_PKCE);
    CHECK_THROWS(tessera::pkce_challenge("short"), TESSERA_RESULT_INVALID_PKCE);
    CHECK_THROWS(tessera::pkce_challenge(""), TESSERA_RESULT_INVALID_PKCE);
  })
}

void test_wire() {
  GUARD({
    std::string form = tessera::form_parse("a=1&b=x+y&c=&d=%3A");
    CHECK_EQ(str(form, "a"), "1");
    CHECK_EQ(str(form, "b"), "x y");
    CHECK_EQ(str(form, "d"), ":");
    CHECK_EQ(raw(form, "c"), "");
    CHECK_EQ(tessera::form_parse(""), "{}");
    CHECK_THROWS(tessera::form_parse("a=1&a=2"), TESSERA_RESULT_OAUTH_INVALID_REQUEST);
    CHECK_THROWS(tessera::form_parse("a=%zz"), TESSERA_RESULT_OAUTH_INVALID_REQUEST);

    std::string request = tessera::authorize_request_parse(
        "response_type=code&client_id=app&state=xyz&code_challenge_method=S256");
    CHECK_EQ(str(request, "client_id"), "app");
    CHECK_EQ(str(request, "code_challenge_method"), "S256");
    CHECK_THROWS(tessera::authorize_request_parse("response_type=code"),
                 TESSERA_RESULT_OAUTH_INVALID_REQUEST);

    const char *basic = "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3";
    std::string token =
        tessera::token_request_parse("grant_type=client_credentials&scope=a", basic);
    CHECK_EQ(str(token, "request.grant_type"), "client_credentials");
    CHECK_EQ(str(token, "client_auth.method"), "client_secret_basic");
    CHECK_EQ(str(token, "client_auth.client_secret"), "7Fjfp0ZBr1KtDRbnfVdmIw");
    token = tessera::token_request_parse("grant_type=refresh_token&refresh_token=r&client_id=app");
    CHECK_EQ(str(token, "client_auth.method"), "none");
    CHECK_THROWS(tessera::token_request_parse("grant_type=client_credentials"),
                 TESSERA_RESULT_OAUTH_INVALID_CLIENT);
    CHECK_THROWS(tessera::token_request_parse("grant_type=password&client_id=a"),
                 TESSERA_RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE);
    CHECK_THROWS(tessera::token_request_parse("grant_type=client_credentials", "Bearer x"),
                 TESSERA_RESULT_OAUTH_INVALID_CLIENT);
    std::string revocation = tessera::revocation_request_parse("token=abc&client_id=app");
    CHECK_EQ(str(revocation, "request.token"), "abc");
    CHECK_EQ(str(revocation, "client_auth.client_id"), "app");
    CHECK_THROWS(tessera::revocation_request_parse("client_id=app"),
                 TESSERA_RESULT_OAUTH_INVALID_REQUEST);
    CHECK_EQ(tessera::introspection_request_parse("token=abc"), R"({"token":"abc"})");
    CHECK_THROWS(tessera::introspection_request_parse(""), TESSERA_RESULT_OAUTH_INVALID_REQUEST);

    CHECK(tessera::bearer_token("Bearer mF_9.B5f-4.1JqM") == "mF_9.B5f-4.1JqM");
    CHECK(!tessera::bearer_token(""));
    CHECK(!tessera::bearer_token("Basic Zm9vOmJhcg=="));
    CHECK_THROWS(tessera::bearer_token("Bearer a,b"), TESSERA_RESULT_OAUTH_INVALID_REQUEST);
    CHECK_EQ(tessera::bearer_challenge("api"), R"(Bearer realm="api")");

    std::string response =
        tessera::error_response(TESSERA_RESULT_OAUTH_INVALID_CLIENT, "unknown client", "as");
    CHECK_EQ(raw(response, "status"), "401");
    CHECK_EQ(raw(response, "body"),
             R"({"error":"invalid_client","error_description":"unknown client"})");
    CHECK(response.find(R"(["WWW-Authenticate","Basic realm=\"as\""])") != std::string::npos);
    CHECK_EQ(raw(tessera::error_response(TESSERA_RESULT_PKCE_MISMATCH), "body"),
             R"({"error":"invalid_grant"})");
    CHECK_THROWS(tessera::error_response(0), TESSERA_RESULT_INVALID_ARGUMENT);
    std::string resource =
        tessera::resource_error_response(TESSERA_RESULT_SCOPE_NOT_GRANTED, "", "api", "job:write");
    CHECK_EQ(raw(resource, "status"), "403");
    CHECK(resource.find(R"(scope=\"job:write\")") != std::string::npos);
    CHECK_EQ(str(tessera::resource_error_response(TESSERA_RESULT_EXPIRED, "", "api"), "body.error"),
             "invalid_token");

    CHECK_EQ(tessera::redirect_uri("https://c.example/cb?t=7", R"({"state":"x y","code":"c"})"),
             "https://c.example/cb?t=7&state=x+y&code=c");
    CHECK_EQ(tessera::redirect_uri("https://c.example/cb", R"({"a":"1"})", "fragment"),
             "https://c.example/cb#a=1");
    CHECK_EQ(tessera::redirect_uri("https://c.example/cb"), "https://c.example/cb");
    CHECK_THROWS(tessera::redirect_uri("https://c.example/cb#f"), TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(tessera::redirect_uri("https://c.example/cb", R"({"a":1})"),
                 TESSERA_RESULT_INVALID_JSON);
    CHECK(tessera::redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb"));
    CHECK(!tessera::redirect_uri_matches("https://a.example/cb", "https://a.example/cb/"));

    CHECK_EQ(tessera::server_metadata(
                 R"({"response_types_supported":["code"],"issuer":"https://as.example"})"),
             R"({"issuer":"https://as.example","response_types_supported":["code"]})");
    CHECK_THROWS(tessera::server_metadata(R"({"issuer":"http://as.example"})"),
                 TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_EQ(tessera::server_metadata_url("https://as.example/tenant/"),
             "https://as.example/.well-known/oauth-authorization-server/tenant/");
    CHECK_EQ(tessera::server_metadata_url("https://as.example"),
             "https://as.example/.well-known/oauth-authorization-server");
    CHECK_THROWS(tessera::server_metadata_url("https://as.example/t?x"),
                 TESSERA_RESULT_INVALID_ARGUMENT);
  })
}

void test_authorization_code_flow() {
  GUARD({
    As as;
    // The client's PKCE pair and request; the consent page; the user approves.
    std::string verifier = tessera::pkce_verifier();
    std::string request = tessera::authorize_request_parse(
        std::string("response_type=code&client_id=app&redirect_uri=") + CALLBACK +
        "&scope=read&state=xyz&code_challenge=" + tessera::pkce_challenge(verifier) +
        "&code_challenge_method=S256");
    std::string checked = as.issuer.check_authorize(APP, request);
    CHECK_EQ(str(checked, "outcome"), "ok");
    CHECK_EQ(str(checked, "scope"), "read");
    std::string granted = as.issuer.authorize(APP, request, "user-42", NOW);
    CHECK_EQ(str(granted, "outcome"), "granted");
    CHECK_EQ(raw(granted, "state.version"), "1");
    CHECK_EQ(str(granted, "effects.0.effect"), "index");
    std::string location = str(granted, "redirect.location");
    CHECK_EQ(query_param(location, "state"), "xyz");
    std::string code = query_param(location, "code");
    CHECK_EQ(tessera::token_check("tsr", code, "ac"), "ac");
    CHECK_EQ(as.peppers.lookup(code), str(granted, "effects.0.lookup"));
    std::string located = as.issuer.locate(code, NOW + 1);
    CHECK_EQ(str(located, "locator"), "lookup");
    CHECK_EQ(str(located, "lookup"), str(granted, "effects.0.lookup"));

    // The code exchange.
    std::string code_body = "grant_type=authorization_code&code=" + code + "&code_verifier=" +
                            verifier + "&client_id=app&redirect_uri=" + CALLBACK;
    std::string redeemed = as.token(APP, raw(granted, "state"), code_body, NOW + 5);
    CHECK_EQ(raw(redeemed, "ok"), "true");
    CHECK_EQ(str(redeemed, "response.token_type"), "Bearer");
    CHECK_EQ(raw(redeemed, "response.expires_in"), "300");
    CHECK_EQ(raw(redeemed, "state.version"), "2");
    std::string access = str(redeemed, "response.access_token");
    std::string refresh = str(redeemed, "response.refresh_token");
    std::string state = raw(redeemed, "state");

    // The resource server.
    tessera::Verified claims = as.verifier.verify_full(access, NOW + 6);
    CHECK(claims.sub() == "user-42");
    CHECK(claims.claim("client_id") == "\"app\"");
    CHECK(tessera::Scopes::from_claims(claims.claims()).covers(tessera::Scopes::parse("read")));
    CHECK_EQ(str(as.issuer.locate(access, NOW + 6), "locator"), "family");
    std::string active = as.issuer.introspect(state, access, NOW + 10);
    CHECK_EQ(raw(active, "active"), "true");
    CHECK_EQ(str(active, "client_id"), "app");

    // Rotation, then the replay of the old refresh token revokes the family.
    std::string refresh_body =
        "grant_type=refresh_token&refresh_token=" + refresh + "&client_id=app";
    std::string rotated = as.token(APP, state, refresh_body, NOW + 60);
    CHECK_EQ(raw(rotated, "ok"), "true");
    CHECK_EQ(raw(rotated, "state.version"), "3");
    CHECK(str(rotated, "response.refresh_token") != refresh);
    std::string replay = as.token(APP, raw(rotated, "state"), refresh_body, NOW + 70);
    CHECK_EQ(raw(replay, "ok"), "false");
    CHECK_EQ(str(replay, "error.error"), "invalid_grant");
    CHECK_EQ(raw(replay, "error.status"), "400");
    CHECK_EQ(str(replay, "state.status.state"), "revoked");
    CHECK_EQ(str(replay, "effects.0.effect"), "revoke_family");
    CHECK_EQ(str(replay, "effects.0.reason"), "refresh_reuse");
    CHECK_EQ(as.issuer.introspect(raw(replay, "state"), access, NOW + 71), R"({"active":false})");
    // The error object feeds error_response().
    std::string answer = tessera::error_response(
        static_cast<std::uint32_t>(std::stoul(raw(replay, "error.code"))),
        str(replay, "error.description"));
    CHECK_EQ(raw(answer, "status"), "400");
    CHECK_EQ(str(answer, "body.error"), "invalid_grant");
  })
}

void test_dpop() {
  GUARD({
    As as;
    const std::string jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const std::string cnf = R"({"jkt":")" + jkt + "\"}";
    const std::string other = R"({"jkt":"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"})";
    // The resource server side: the scheme, the challenges (DPoP first), 401 for DPoP errors.
    auto dpop = tessera::access_token("DPoP Kz~8mXK1EalY");
    CHECK(dpop && dpop->first == tessera::AuthScheme::DPoP && dpop->second == "Kz~8mXK1EalY");
    auto bearer = tessera::access_token("Bearer abc");
    CHECK(bearer && bearer->first == tessera::AuthScheme::Bearer && bearer->second == "abc");
    CHECK(!tessera::access_token("Basic Zm9vOmJhcg=="));
    CHECK(!tessera::access_token(""));
    CHECK_THROWS(tessera::access_token("DPoP a b"), TESSERA_RESULT_OAUTH_INVALID_REQUEST);
    CHECK_EQ(tessera::dpop_challenge("api", "ES256 PS256", true),
             R"(DPoP realm="api", algs="ES256 PS256", Bearer realm="api")");
    CHECK_EQ(tessera::dpop_challenge("", "ES256"), R"(DPoP algs="ES256")");
    CHECK_THROWS(tessera::dpop_challenge("", "HS256"), TESSERA_RESULT_INVALID_ARGUMENT);
    std::string nonce = tessera::resource_error_response_dpop(TESSERA_RESULT_DPOP_NONCE_REQUIRED,
                                                               "", "api", "ES256");
    CHECK_EQ(raw(nonce, "status"), "401");
    CHECK_EQ(str(nonce, "body.error"), "use_dpop_nonce");
    CHECK(nonce.find(R"(DPoP realm=\"api\", error=\"use_dpop_nonce\", algs=\"ES256\", )"
                     R"(Bearer realm=\"api\")") != std::string::npos);
    CHECK_EQ(raw(tessera::error_response(TESSERA_RESULT_DPOP_NONCE_REQUIRED), "status"), "400");

    // The token endpoint: a code bound with dpop_jkt, redeemed with the key.
    std::string verifier = tessera::pkce_verifier();
    std::string request = tessera::authorize_request_parse(
        std::string("response_type=code&client_id=app&redirect_uri=") + CALLBACK +
        "&scope=read&code_challenge=" + tessera::pkce_challenge(verifier) +
        "&code_challenge_method=S256&dpop_jkt=" + jkt);
    CHECK_EQ(str(request, "dpop_jkt"), jkt);
    std::string granted = as.issuer.authorize(APP, request, "user-42", NOW);
    std::string code = query_param(str(granted, "redirect.location"), "code");
    std::string parsed = tessera::token_request_parse(
        "grant_type=authorization_code&code=" + code + "&code_verifier=" + verifier +
        "&client_id=app&redirect_uri=" + CALLBACK);
    std::string redeemed = as.issuer.token_bound(APP, raw(parsed, "client_auth"),
                                                 raw(granted, "state"), raw(parsed, "request"),
                                                 cnf, NOW + 5);
    CHECK_EQ(raw(redeemed, "ok"), "true");
    CHECK_EQ(str(redeemed, "response.token_type"), "DPoP");
    std::string access = str(redeemed, "response.access_token");
    tessera::Verified claims = as.verifier.verify_full(access, NOW + 6);
    CHECK(claims.claim("cnf") == cnf);
    std::string state = raw(redeemed, "state");
    CHECK_EQ(str(as.issuer.introspect(state, access, NOW + 6), "cnf.jkt"), jkt);
    // The refresh token is bound: another key is invalid_grant, nothing to save.
    std::string refresh = tessera::token_request_parse(
        "grant_type=refresh_token&refresh_token=" + str(redeemed, "response.refresh_token") +
        "&client_id=app");
    std::string refused = as.issuer.token_bound(APP, raw(refresh, "client_auth"), state,
                                                raw(refresh, "request"), other, NOW + 7);
    CHECK_EQ(str(refused, "error.error"), "invalid_grant");
    CHECK_EQ(raw(refused, "state"), "null");
    CHECK_THROWS(as.issuer.token_bound(APP, raw(refresh, "client_auth"), state,
                                       raw(refresh, "request"), "{}", NOW + 7),
                 TESSERA_RESULT_INVALID_JSON);
    std::string rotated = as.issuer.token_bound(APP, raw(refresh, "client_auth"), state,
                                                raw(refresh, "request"), cnf, NOW + 7);
    CHECK_EQ(str(rotated, "response.token_type"), "DPoP");
  })
}

void test_issuer() {
  GUARD({
    As as;
    // Client credentials with a hashed secret.
    std::string svc =
        R"({"client_id":"svc","kind":"confidential","allowed_scope":"read write",)"
        R"("default_scope":"read","grant_types":["client_credentials"],"secret_hash":")" +
        as.peppers.client_secret_hash("s3cret-value") + "\"}";
    std::string ok = as.token(svc, "", "grant_type=client_credentials&scope=write", NOW,
                              "Basic c3ZjOnMzY3JldC12YWx1ZQ==");
    CHECK_EQ(raw(ok, "ok"), "true");
    CHECK_EQ(str(ok, "response.scope"), "write");
    CHECK(as.verifier.check(str(ok, "response.access_token"), NOW + 1) == tessera::ok);
    std::string bad = as.token(svc, "", "grant_type=client_credentials", NOW, "Basic c3ZjOndyb25n");
    CHECK_EQ(str(bad, "error.error"), "invalid_client");
    CHECK_EQ(str(bad, "error.www_authenticate"), R"(Basic realm=\"https://as.example\")");
    CHECK_EQ(raw(bad, "state"), "null");

    // Refusals at the authorization endpoint are outcomes.
    std::string request = tessera::authorize_request_parse(
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");
    CHECK_EQ(str(as.issuer.authorize(APP, request, "u", NOW), "outcome"), "fatal");
    CHECK_EQ(str(as.issuer.authorize("", request, "u", NOW), "outcome"), "fatal");
    request = tessera::authorize_request_parse(
        std::string("response_type=code&client_id=app&state=s&redirect_uri=") + CALLBACK);
    CHECK_EQ(str(as.issuer.deny(APP, request), "error.error"), "access_denied");

    // Revocation and host revocation, introspection, locate.
    Family f = obtain_family(as);
    std::string revoked = as.issuer.revoke(
        APP, R"({"method":"none","client_id":"app"})", f.state, f.refresh, NOW + 10);
    CHECK_EQ(raw(revoked, "ok"), "true");
    CHECK_EQ(str(revoked, "effects.0.reason"), "client_request");
    CHECK_EQ(as.issuer.introspect(raw(revoked, "state"), f.refresh, NOW + 11),
             R"({"active":false})");
    std::string host = as.issuer.revoke_family(f.state, NOW + 12);
    CHECK_EQ(str(host, "effects.0.reason"), "host");
    CHECK_EQ(raw(as.issuer.revoke_family(raw(host, "state"), NOW + 13), "state"), "null");
    CHECK_EQ(as.issuer.introspect("", "", NOW), R"({"active":false})");
    CHECK_EQ(str(as.issuer.locate("junk", NOW), "locator"), "none");

    // Engine tokens: implications apply; failures throw.
    std::string engine = as.issuer.engine_token("write", "read", "task-7", "engine", NOW);
    CHECK_EQ(str(engine, "scope"), "read");
    CHECK(as.verifier.check(str(engine, "token"), NOW) == TESSERA_RESULT_TYPE_MISMATCH);
    CHECK_THROWS(as.issuer.engine_token("read", "write", "t", "e", NOW),
                 TESSERA_RESULT_OAUTH_INVALID_SCOPE);

    // Argument errors throw.
    CHECK_THROWS(as.issuer.authorize(APP, "{", "u", NOW), TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(as.issuer.authorize(APP, request, "", NOW), TESSERA_RESULT_INVALID_ARGUMENT);
    CHECK_THROWS(as.issuer.token(APP, "", "", R"({"grant_type":"client_credentials"})", NOW),
                 TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(as.issuer.introspect(R"({"v":2})", "x", NOW), TESSERA_RESULT_UNSUPPORTED);
    CHECK_THROWS(tessera::Issuer("{}", as.key, as.peppers), TESSERA_RESULT_INVALID_JSON);
    CHECK_THROWS(tessera::Issuer(POLICY, as.key.public_key(), as.peppers),
                 TESSERA_RESULT_NOT_PRIVATE_KEY);

    // The issuer copies key and peppers; a moved-from issuer is empty.
    tessera::Issuer issuer = [] {
      tessera::Key key = tessera::Key::generate("EdDSA");
      tessera::Peppers peppers("p1", PEPPER);
      return tessera::Issuer(POLICY, key, peppers);
    }();
    CHECK(str(issuer.engine_token("read", "read", "t", "e", NOW), "token").size() > 100);
    tessera::Issuer moved = std::move(issuer);
    CHECK(moved && !issuer);
    CHECK_THROWS(issuer.locate("x", NOW), TESSERA_RESULT_NULL_POINTER);
  })
}

void test_threads() {
  GUARD({
    const As as;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
      threads.emplace_back([&] {
        try {
          for (int i = 0; i < 3; i++) {
            Family f = obtain_family(as);
            if (as.verifier.check(f.access, NOW + 6) != tessera::ok) failures++;
          }
        } catch (...) {
          failures++;
        }
      });
    for (auto &t : threads) t.join();
    CHECK(failures == 0);
  })
}

}  // namespace

static const struct harness_test TESTS[] = {
    HARNESS_TEST(scopes),
    HARNESS_TEST(tokens_and_peppers),
    HARNESS_TEST(pkce),
    HARNESS_TEST(wire),
    HARNESS_TEST(authorization_code_flow),
    HARNESS_TEST(dpop),
    HARNESS_TEST(issuer),
    HARNESS_TEST(threads),
};

int main(int argc, char **argv) {
  return harness_main(argc, argv, TESTS, sizeof TESTS / sizeof TESTS[0]);
}
