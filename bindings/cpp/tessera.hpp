// tessera.hpp: a header-only C++17 wrapper over the tessera C ABI (tessera.h).
// SPDX-License-Identifier: MIT OR Apache-2.0
//
// - Move-only RAII handles: Key, KeySet, VerifierBuilder, Verifier, Verified, ScopePolicy,
//   Scopes, Peppers, Issuer, and in tessera::dpop NonceIssuer, Validator, Proof, ReplayCache. A moved-from handle is empty; using it throws
//   Error(TESSERA_RESULT_NULL_POINTER).
// - Inputs are std::string_view (bytes or UTF-8 text); outputs are std::string (the
//   BUFFER_TOO_SMALL retry happens inside). Short identifiers (algorithm names, kid, issuer,
//   claim names) must not contain NUL: such a view throws Error(TESSERA_RESULT_INVALID_ARGUMENT)
//   rather than being cut short. An empty `alg` means "none given" (C NULL).
// - Failures throw tessera::Error (a std::runtime_error) carrying code(), name() and
//   description(). Hot paths have non-throwing variants: Verifier::check and check_batch
//   return result codes.
// - Key, KeySet, Verifier, Verified, ScopePolicy, Scopes and Issuer are immutable: share them
//   across threads. A VerifierBuilder is not thread-safe; a Peppers set is once configured
//   (add_previous() must not run while other threads use it).
// - The OAuth side speaks JSON, as the C ABI does: wire-format parsers, the Issuer endpoints
//   and error responses return the JSON text as std::string (see tessera.h for each shape).
//   Refusals at the Issuer endpoints are outcomes ("ok": false), not exceptions; exceptions
//   are for argument errors and for the parsers' OAuth errors (e.g.
//   TESSERA_RESULT_OAUTH_INVALID_REQUEST), whose code() tessera::error_response() turns into
//   the HTTP answer.
//
// Link exactly as for C (see bindings/c/README.md), e.g.
//   c++ -std=c++17 app.cpp $(pkg-config --cflags --libs tessera)

#ifndef TESSERA_HPP
#define TESSERA_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera.h"

namespace tessera {

/// The library version ("MAJOR.MINOR.PATCH").
inline const char *version() noexcept { return tessera_version(); }
/// The cryptographic backend the library was built with, "NAME VERSION": "ring 0.17.14" or
/// "aws-lc-rs 1.19.0". ES512, ES256K and RSA key generation need aws-lc-rs.
inline const char *backend() noexcept { return tessera_backend(); }
/// The stable snake_case name of a result code ("invalid_signature", "ok", "unknown").
inline const char *result_name(std::uint32_t code) noexcept { return tessera_result_name(code); }
/// The description of a result code.
inline const char *result_str(std::uint32_t code) noexcept { return tessera_result_str(code); }

/// Success, as a tessera_result (TESSERA_RESULT_OK is a plain integer macro).
inline constexpr tessera_result ok = static_cast<tessera_result>(TESSERA_RESULT_OK);

/// The longest detail text the library writes, in bytes (TESSERA_MAX_DETAIL_LEN): what
/// Verifier::explain can return at most.
inline constexpr std::size_t max_detail_len = TESSERA_MAX_DETAIL_LEN;

/// A failed tessera call: its result code and the library's description of it.
class Error : public std::runtime_error {
 public:
  explicit Error(tessera_result code)
      : std::runtime_error(std::string("tessera: ") + tessera_result_name(code) + " (" +
                           std::to_string(static_cast<unsigned>(code)) +
                           "): " + tessera_result_str(code)),
        code_(code) {}
  tessera_result code() const noexcept { return code_; }
  const char *name() const noexcept { return tessera_result_name(code_); }
  const char *description() const noexcept { return tessera_result_str(code_); }

 private:
  tessera_result code_;
};

namespace detail {

inline void check(tessera_result rc) {
  if (rc != TESSERA_RESULT_OK) throw Error(rc);
}

inline const std::uint8_t *bytes(std::string_view s) noexcept {
  return reinterpret_cast<const std::uint8_t *>(s.data());
}

/// A NUL-terminated copy of a short identifier; a view with a NUL inside is refused.
class CStr {
 public:
  explicit CStr(std::string_view s) : s_(s) {
    if (s_.find('\0') != std::string::npos)
      throw Error(static_cast<tessera_result>(TESSERA_RESULT_INVALID_ARGUMENT));
  }
  const char *get() const noexcept { return s_.c_str(); }
  /// NULL for an empty view (an optional argument left out).
  const char *or_null() const noexcept { return s_.empty() ? nullptr : s_.c_str(); }

 private:
  std::string s_;
};

/// Calls `f(out, cap, &len)` following the C buffer convention: retries with the reported size
/// on BUFFER_TOO_SMALL and returns exactly the output.
template <class F>
std::string read(F &&f) {
  std::string out(1024, '\0');
  for (int attempt = 0; attempt < 8; attempt++) {
    std::size_t len = 0;
    tessera_result rc = f(reinterpret_cast<std::uint8_t *>(out.data()), out.size(), &len);
    if (rc == TESSERA_RESULT_OK) {
      out.resize(len);
      return out;
    }
    if (rc != TESSERA_RESULT_BUFFER_TOO_SMALL) throw Error(rc);
    out.assign(len, '\0');
  }
  throw Error(TESSERA_RESULT_BUFFER_TOO_SMALL);
}

/// As read(), but an absent claim is std::nullopt.
template <class F>
std::optional<std::string> read_optional(F &&f) {
  try {
    return read(std::forward<F>(f));
  } catch (const Error &e) {
    if (e.code() == TESSERA_RESULT_MISSING_CLAIM) return std::nullopt;
    throw;
  }
}

/// Owns a handle of type `T` and frees it with `Free` (the library's `tessera_x_free`).
template <class T, void (*Free)(T *)>
struct Deleter {
  void operator()(T *p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T *)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

/// Calls a check that answers OK or one "no" code: true, false, or throws for anything else.
inline bool yes_or(tessera_result rc, tessera_result no) {
  if (rc == no) return false;
  check(rc);
  return true;
}

}  // namespace detail

class Key;
using KeyRefs = std::initializer_list<std::reference_wrapper<const Key>>;

/// A signing or verification key bound to one algorithm.
class Key {
 public:
  /// Generates ES256, ES384, EdDSA, Ed25519 or HS256/384/512 keys; with the aws-lc backend
  /// (see backend()) also ES512 and ES256K keys and 2048-bit RSA keys (RS*, PS*). With ring,
  /// ES512/ES256K throw TESSERA_RESULT_UNSUPPORTED_ALGORITHM and RSA TESSERA_RESULT_UNSUPPORTED
  /// (load an RSA key instead).
  static Key generate(std::string_view alg) {
    tessera_key *k = nullptr;
    detail::check(tessera_key_generate(detail::CStr(alg).get(), &k));
    return Key(k);
  }
  /// PEM (PKCS#8, PKCS#1, SEC1, SPKI, X.509). `alg` empty: the key type's default (not RSA).
  static Key from_pem(std::string_view pem, std::string_view alg = {}) {
    tessera_key *k = nullptr;
    detail::check(
        tessera_key_from_pem(detail::bytes(pem), pem.size(), detail::CStr(alg).or_null(), &k));
    return Key(k);
  }
  /// DER (PKCS#8, PKCS#1, SEC1, SPKI, X.509); `alg` as for from_pem.
  static Key from_der(std::string_view der, std::string_view alg = {}) {
    tessera_key *k = nullptr;
    detail::check(
        tessera_key_from_der(detail::bytes(der), der.size(), detail::CStr(alg).or_null(), &k));
    return Key(k);
  }
  /// A JWK; `alg` binds a key without an "alg" member (empty: none given).
  static Key from_jwk(std::string_view jwk, std::string_view alg = {}) {
    tessera_key *k = nullptr;
    detail::check(
        tessera_key_from_jwk(detail::bytes(jwk), jwk.size(), detail::CStr(alg).or_null(), &k));
    return Key(k);
  }
  /// An HMAC key from a secret at least as long as the hash output.
  static Key hmac(std::string_view secret, std::string_view alg) {
    tessera_key *k = nullptr;
    detail::check(
        tessera_key_hmac(detail::bytes(secret), secret.size(), detail::CStr(alg).get(), &k));
    return Key(k);
  }
  /// Takes ownership of a handle from the C API.
  static Key adopt(tessera_key *handle) noexcept { return Key(handle); }

  /// The same key with key id `kid`.
  Key with_kid(std::string_view kid) const {
    tessera_key *k = nullptr;
    detail::check(tessera_key_with_kid(get(), detail::CStr(kid).get(), &k));
    return Key(k);
  }
  /// The public half of an asymmetric key.
  Key public_key() const {
    tessera_key *k = nullptr;
    detail::check(tessera_key_public(get(), &k));
    return Key(k);
  }

  std::string alg() const { return text(tessera_key_alg); }
  /// The key id ("" when none).
  std::string kid() const { return text(tessera_key_kid); }
  bool is_private() const {
    bool out = false;
    detail::check(tessera_key_is_private(get(), &out));
    return out;
  }
  std::string public_jwk() const { return text(tessera_key_public_jwk); }
  /// Secret material: the returned string is not wiped when destroyed.
  std::string private_jwk() const { return text(tessera_key_private_jwk); }
  std::string public_pem() const { return text(tessera_key_public_pem); }
  /// Secret material: the returned string is not wiped when destroyed.
  std::string private_pem() const { return text(tessera_key_private_pem); }
  /// The RFC 7638 thumbprint (SHA-256, base64url).
  std::string thumbprint() const { return text(tessera_key_thumbprint); }

  /// Signs a JWT: `claims_json` is used byte for byte; `header_json` holds extra header members
  /// such as {"typ":"at+jwt"} (empty: none; alg and kid come from the key).
  std::string sign(std::string_view claims_json, std::string_view header_json = {}) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_sign(get(), detail::bytes(header_json), header_json.size(),
                          detail::bytes(claims_json), claims_json.size(), out, cap, len);
    });
  }
  /// Signs exact protected-header and payload octets into a compact JWS.
  std::string sign_jws(std::string_view protected_header, std::string_view payload) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_sign_jws(get(), detail::bytes(protected_header), protected_header.size(),
                              detail::bytes(payload), payload.size(), out, cap, len);
    });
  }

  const tessera_key *get() const noexcept { return h_.get(); }
  tessera_key *release() noexcept { return h_.release(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  explicit Key(tessera_key *k) noexcept : h_(k) {}
  std::string text(tessera_result (*fn)(const tessera_key *, std::uint8_t *, std::size_t,
                                        std::size_t *)) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return fn(get(), out, cap, len);
    });
  }
  detail::Owned<tessera_key, tessera_key_free> h_;
};

namespace detail {
template <class Range>
std::vector<const tessera_key *> handles(const Range &keys) {
  std::vector<const tessera_key *> out;
  for (const Key &k : keys) out.push_back(k.get());
  return out;
}
}  // namespace detail

/// The public JWKS document of some keys: jwks({a, b}) or jwks(vector_of_keys).
template <class Range>
std::string jwks(const Range &keys) {
  std::vector<const tessera_key *> h = detail::handles(keys);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_jwks(h.data(), h.size(), out, cap, len);
  });
}
inline std::string jwks(KeyRefs keys) { return jwks<KeyRefs>(keys); }

/// A set of verification keys, selected by kid and algorithm.
class KeySet {
 public:
  /// Parses a JWKS; `default_algs` ("RS256,PS256") binds keys without "alg".
  static KeySet from_jwks(std::string_view jwks, std::string_view default_algs = {}) {
    tessera_keyset *s = nullptr;
    detail::check(tessera_keyset_from_jwks(detail::bytes(jwks), jwks.size(),
                                           detail::CStr(default_algs).or_null(), &s));
    return KeySet(s);
  }
  /// A set of copies of `keys`: from_keys({a, b}) or from_keys(vector_of_keys).
  template <class Range>
  static KeySet from_keys(const Range &keys) {
    std::vector<const tessera_key *> h = detail::handles(keys);
    tessera_keyset *s = nullptr;
    detail::check(tessera_keyset_new(h.data(), h.size(), &s));
    return KeySet(s);
  }
  static KeySet from_keys(KeyRefs keys) { return from_keys<KeyRefs>(keys); }

  std::size_t size() const {
    std::size_t n = 0;
    detail::check(tessera_keyset_len(get(), &n));
    return n;
  }
  std::string to_jwks() const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_keyset_to_jwks(get(), out, cap, len);
    });
  }

  const tessera_keyset *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  explicit KeySet(tessera_keyset *s) noexcept : h_(s) {}
  detail::Owned<tessera_keyset, tessera_keyset_free> h_;
};

/// The result of a successful verification.
class Verified {
 public:
  /// The claims set (the signed JSON text).
  std::string claims() const { return text(tessera_verified_claims); }
  /// The protected header (JSON).
  std::string header() const { return text(tessera_verified_header); }
  /// The JSON value of claim `name`; std::nullopt when absent.
  std::optional<std::string> claim(std::string_view name) const {
    detail::CStr n(name);
    return detail::read_optional([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_verified_claim(get(), n.get(), out, cap, len);
    });
  }
  std::optional<std::string> iss() const { return optional_text(tessera_verified_iss); }
  std::optional<std::string> sub() const { return optional_text(tessera_verified_sub); }
  std::optional<std::string> jti() const { return optional_text(tessera_verified_jti); }
  /// `aud` as a JSON array of strings ("[]" when absent).
  std::string aud() const { return text(tessera_verified_aud); }
  std::optional<std::int64_t> exp() const { return time_claim(tessera_verified_exp); }
  std::optional<std::int64_t> nbf() const { return time_claim(tessera_verified_nbf); }
  std::optional<std::int64_t> iat() const { return time_claim(tessera_verified_iat); }

  const tessera_verified *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  friend class Verifier;
  using TextFn = tessera_result (*)(const tessera_verified *, std::uint8_t *, std::size_t,
                                    std::size_t *);
  explicit Verified(tessera_verified *v) noexcept : h_(v) {}
  std::string text(TextFn fn) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return fn(get(), out, cap, len);
    });
  }
  std::optional<std::string> optional_text(TextFn fn) const {
    return detail::read_optional([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return fn(get(), out, cap, len);
    });
  }
  using TimeFn = tessera_result (*)(const tessera_verified *, std::int64_t *);
  std::optional<std::int64_t> time_claim(TimeFn fn) const {
    std::int64_t t = 0;
    tessera_result rc = fn(get(), &t);
    if (rc == TESSERA_RESULT_MISSING_CLAIM) return std::nullopt;
    detail::check(rc);
    return t;
  }
  detail::Owned<tessera_verified, tessera_verified_free> h_;
};

/// An immutable verifier (keys + policy): build once, share across threads.
class Verifier {
 public:
  /// Verifies a JWT at `now` (Unix seconds) and returns its claims JSON; throws Error.
  std::string verify(std::string_view token, std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_verify(get(), detail::bytes(token), token.size(), now, out, cap, len);
    });
  }
  /// Verifies a JWT at `now` and returns the verified result for its accessors; throws Error.
  Verified verify_full(std::string_view token, std::int64_t now) const {
    tessera_verified *v = nullptr;
    detail::check(tessera_verify_full(get(), detail::bytes(token), token.size(), now, &v));
    return Verified(v);
  }
  /// The hot path: verifies and returns only the result code (ok on success). Never throws.
  tessera_result check(std::string_view token, std::int64_t now) const noexcept {
    return tessera_verify_result(get(), detail::bytes(token), token.size(), now);
  }
  /// Why `token` does not verify at `now`: the library's detail text for the failure (for
  /// logs; programs branch on check()'s code), or std::nullopt when it verifies. Never throws
  /// tessera::Error (std::bad_alloc aside).
  std::optional<std::string> explain(std::string_view token, std::int64_t now) const {
    // TESSERA_MAX_DETAIL_LEN bytes always hold the text whole, so the library writes exactly
    // `n` of them; the string is made of those bytes and no others.
    std::uint8_t buf[max_detail_len];
    std::size_t n = 0;
    const tessera_result rc = tessera_verify_explain(get(), detail::bytes(token), token.size(),
                                                     now, buf, sizeof buf, &n);
    if (rc == TESSERA_RESULT_OK) return std::nullopt;
    if (n > sizeof buf) return std::string();  // cannot happen: the library bounds the text
    return std::string(reinterpret_cast<const char *>(buf), n);
  }
  /// Verifies many tokens (strings or views) on up to `threads` threads (0: all cores); one
  /// code per token. Throws only for invalid arguments (and std::bad_alloc).
  template <class Range>
  std::vector<tessera_result> check_batch(const Range &tokens, std::int64_t now,
                                          std::size_t threads = 0) const {
    std::vector<const std::uint8_t *> ptrs;
    std::vector<std::size_t> lens;
    for (const auto &t : tokens) {
      std::string_view v(t);
      ptrs.push_back(detail::bytes(v));
      lens.push_back(v.size());
    }
    std::vector<std::uint32_t> codes(ptrs.size());
    detail::check(tessera_verify_batch(get(), ptrs.data(), lens.data(), ptrs.size(), now, threads,
                                       codes.data()));
    std::vector<tessera_result> out;
    out.reserve(codes.size());
    for (std::uint32_t c : codes) out.push_back(static_cast<tessera_result>(c));
    return out;
  }
  std::vector<tessera_result> check_batch(std::initializer_list<std::string_view> tokens,
                                          std::int64_t now, std::size_t threads = 0) const {
    return check_batch<std::initializer_list<std::string_view>>(tokens, now, threads);
  }
  /// Verifies only the signature and returns the payload octets (for non-JWT JWS payloads).
  std::string verify_jws(std::string_view token) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_verify_jws(get(), detail::bytes(token), token.size(), out, cap, len);
    });
  }

  const tessera_verifier *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  friend class VerifierBuilder;
  explicit Verifier(tessera_verifier *v) noexcept : h_(v) {}
  detail::Owned<tessera_verifier, tessera_verifier_free> h_;
};

/// Collects a verifier's policy (defaults: exp required, 30 s leeway, nothing expected).
/// Setters return *this for chaining; build() may be called any number of times.
class VerifierBuilder {
 public:
  VerifierBuilder() {
    tessera_verifier_builder *b = nullptr;
    detail::check(tessera_verifier_builder_new(&b));
    h_.reset(b);
  }

  /// Accepts this issuer (call again for any-of); iss becomes required.
  VerifierBuilder &issuer(std::string_view v) { return str(tessera_verifier_builder_add_issuer, v); }
  /// Accepts this audience (call again for any-of); aud becomes required.
  VerifierBuilder &audience(std::string_view v) {
    return str(tessera_verifier_builder_add_audience, v);
  }
  VerifierBuilder &subject(std::string_view v) { return str(tessera_verifier_builder_set_subject, v); }
  /// Requires the header typ, e.g. "at+jwt" (case-insensitive, optional "application/").
  VerifierBuilder &typ(std::string_view v) { return str(tessera_verifier_builder_set_typ, v); }
  VerifierBuilder &require_claim(std::string_view name) {
    return str(tessera_verifier_builder_require_claim, name);
  }
  /// Declares a crit header extension understood.
  VerifierBuilder &critical(std::string_view name) {
    return str(tessera_verifier_builder_add_critical, name);
  }
  /// Adds an algorithm to the allow-list.
  VerifierBuilder &algorithm(std::string_view alg) {
    return str(tessera_verifier_builder_add_algorithm, alg);
  }
  VerifierBuilder &leeway(std::uint64_t seconds) {
    detail::check(tessera_verifier_builder_set_leeway(h_.get(), seconds));
    return *this;
  }
  VerifierBuilder &max_age(std::uint64_t seconds) {
    detail::check(tessera_verifier_builder_set_max_age(h_.get(), seconds));
    return *this;
  }
  VerifierBuilder &require_exp(bool required) {
    detail::check(tessera_verifier_builder_set_require_exp(h_.get(), required));
    return *this;
  }
  VerifierBuilder &accept_any_audience() {
    detail::check(tessera_verifier_builder_accept_any_audience(h_.get()));
    return *this;
  }
  VerifierBuilder &max_token_len(std::size_t max) {
    detail::check(tessera_verifier_builder_set_max_token_len(h_.get(), max));
    return *this;
  }
  VerifierBuilder &max_header_len(std::size_t max) {
    detail::check(tessera_verifier_builder_set_max_header_len(h_.get(), max));
    return *this;
  }
  VerifierBuilder &max_claims(std::size_t max) {
    detail::check(tessera_verifier_builder_set_max_claims(h_.get(), max));
    return *this;
  }

  /// A verifier for one key (shared, not copied) with this policy.
  Verifier build(const Key &key) const {
    tessera_verifier *v = nullptr;
    detail::check(tessera_verifier_new_with_key(h_.get(), key.get(), &v));
    return Verifier(v);
  }
  /// A verifier for a key set with this policy.
  Verifier build(const KeySet &keys) const {
    tessera_verifier *v = nullptr;
    detail::check(tessera_verifier_new_with_keyset(h_.get(), keys.get(), &v));
    return Verifier(v);
  }

  tessera_verifier_builder *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  VerifierBuilder &str(tessera_result (*fn)(tessera_verifier_builder *, const char *),
                       std::string_view v) {
    detail::check(fn(h_.get(), detail::CStr(v).get()));
    return *this;
  }
  detail::Owned<tessera_verifier_builder, tessera_verifier_builder_free> h_;
};

// ---- scopes ----------------------------------------------------------------------------------

/// A scope implication table: which granted scope implies which requested one.
class ScopePolicy {
 public:
  /// The table in which a scope implies only itself.
  ScopePolicy() {
    tessera_scope_policy *p = nullptr;
    detail::check(tessera_scope_policy_from_json(nullptr, 0, &p));
    h_.reset(p);
  }
  /// {"wildcard_actions": true, "superscopes": ["all"], "rules": [["job:write", "job:read"]]}
  /// (every member optional; rules also as {"job:write": ["job:read"]}); empty: no implication.
  static ScopePolicy from_json(std::string_view json) {
    tessera_scope_policy *p = nullptr;
    detail::check(tessera_scope_policy_from_json(detail::bytes(json), json.size(), &p));
    return ScopePolicy(p);
  }

  const tessera_scope_policy *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  explicit ScopePolicy(tessera_scope_policy *p) noexcept : h_(p) {}
  detail::Owned<tessera_scope_policy, tessera_scope_policy_free> h_;
};

/// A normalised scope set (deduplicated, in byte order). Without a ScopePolicy argument, a
/// scope implies only itself.
class Scopes {
 public:
  /// An RFC 6749 §3.3 scope string ("" is the empty set).
  static Scopes parse(std::string_view scope) {
    tessera_scopes *s = nullptr;
    detail::check(tessera_scopes_parse(detail::bytes(scope), scope.size(), &s));
    return Scopes(s);
  }
  /// The `scope` and `scp` claims of a JWT claims set (JSON object).
  static Scopes from_claims(std::string_view claims_json) {
    tessera_scopes *s = nullptr;
    detail::check(tessera_scopes_from_claims(detail::bytes(claims_json), claims_json.size(), &s));
    return Scopes(s);
  }

  /// The scope string: scopes in byte order, one space apart.
  std::string to_string() const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_scopes_to_string(get(), out, cap, len);
    });
  }
  std::size_t size() const {
    std::size_t n = 0;
    detail::check(tessera_scopes_len(get(), &n));
    return n;
  }
  /// Whether the set holds exactly `scope` (no implication).
  bool contains(std::string_view scope) const {
    bool out = false;
    detail::check(tessera_scopes_contains(get(), detail::CStr(scope).get(), &out));
    return out;
  }
  /// Whether every scope of `requested` is implied by one of this set.
  bool covers(const Scopes &requested) const { return covers_(requested, nullptr); }
  bool covers(const Scopes &requested, const ScopePolicy &policy) const {
    return covers_(requested, policy.get());
  }
  /// As covers(), as a code: ok or TESSERA_RESULT_SCOPE_NOT_GRANTED. Never throws.
  tessera_result check(const Scopes &requested) const noexcept {
    return tessera_scopes_check(get(), requested.get(), nullptr);
  }
  tessera_result check(const Scopes &requested, const ScopePolicy &policy) const noexcept {
    return tessera_scopes_check(get(), requested.get(), policy.get());
  }
  /// `requested`, provided this set covers it; else throws TESSERA_RESULT_SCOPE_NOT_GRANTED.
  Scopes narrow(const Scopes &requested) const { return narrow_(requested, nullptr); }
  Scopes narrow(const Scopes &requested, const ScopePolicy &policy) const {
    return narrow_(requested, policy.get());
  }
  /// The set without every scope implied by another of its scopes.
  Scopes reduce(const ScopePolicy &policy) const { return reduce_(policy.get()); }
  /// A copy of the set.
  Scopes copy() const { return reduce_(nullptr); }

  const tessera_scopes *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  explicit Scopes(tessera_scopes *s) noexcept : h_(s) {}
  bool covers_(const Scopes &requested, const tessera_scope_policy *policy) const {
    bool out = false;
    detail::check(tessera_scopes_covers(get(), requested.get(), policy, &out));
    return out;
  }
  Scopes narrow_(const Scopes &requested, const tessera_scope_policy *policy) const {
    tessera_scopes *s = nullptr;
    detail::check(tessera_scopes_narrow(get(), requested.get(), policy, &s));
    return Scopes(s);
  }
  Scopes reduce_(const tessera_scope_policy *policy) const {
    tessera_scopes *s = nullptr;
    detail::check(tessera_scopes_reduce(get(), policy, &s));
    return Scopes(s);
  }
  detail::Owned<tessera_scopes, tessera_scopes_free> h_;
};

// ---- opaque tokens, peppers, PKCE -----------------------------------------------------------

/// A new opaque token "<prefix>_<kind>_..." (kind "ac", "rt", "ak" or "at"). Secret: show it
/// once, store only its lookup hash (Peppers::lookup).
inline std::string token_generate(std::string_view prefix, std::string_view kind) {
  detail::CStr p(prefix), k(kind);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_token_generate(p.get(), k.get(), out, cap, len);
  });
}

/// Checks a presented token's grammar, kind (when `expected_kind` is not empty) and checksum
/// offline, and returns its kind; throws MALFORMED_OPAQUE_TOKEN, WRONG_TOKEN_KIND or
/// TOKEN_CHECKSUM.
inline std::string token_check(std::string_view prefix, std::string_view token,
                               std::string_view expected_kind = {}) {
  detail::CStr p(prefix), k(expected_kind);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_token_check(p.get(), detail::bytes(token), token.size(), k.or_null(), out,
                               cap, len);
  });
}

/// Lookup-hash peppers: the current one, and older ones so that stored hashes still verify.
class Peppers {
 public:
  /// The current pepper: `secret` of 32 bytes or more, named `key_id`.
  Peppers(std::string_view key_id, std::string_view secret) {
    tessera_peppers *p = nullptr;
    detail::check(tessera_peppers_new(detail::CStr(key_id).get(), detail::bytes(secret),
                                      secret.size(), &p));
    h_.reset(p);
  }

  /// Adds an older pepper. Configuration only: not while other threads use the set.
  Peppers &add_previous(std::string_view key_id, std::string_view secret) {
    detail::check(tessera_peppers_add_previous(h_.get(), detail::CStr(key_id).get(),
                                               detail::bytes(secret), secret.size()));
    return *this;
  }
  /// The lookup hash "<key_id>:<base64url>" of a token under the current pepper.
  std::string lookup(std::string_view token) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_peppers_lookup(get(), detail::bytes(token), token.size(), out, cap, len);
    });
  }
  /// Whether `stored` is the lookup hash of `token` (under any pepper of the set); throws
  /// INVALID_ARGUMENT when `stored` is not a lookup hash.
  bool verify(std::string_view token, std::string_view stored) const {
    return detail::yes_or(tessera_peppers_verify(get(), detail::bytes(token), token.size(),
                                                 detail::bytes(stored), stored.size()),
                          static_cast<tessera_result>(TESSERA_RESULT_TOKEN_MISMATCH));
  }
  /// token_check(), then lookup(): everything before the database.
  std::string check_and_lookup(std::string_view prefix, std::string_view token,
                               std::string_view expected_kind = {}) const {
    detail::CStr p(prefix), k(expected_kind);
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_peppers_check_and_lookup(get(), p.get(), detail::bytes(token), token.size(),
                                              k.or_null(), out, cap, len);
    });
  }
  /// What a client registration stores for a confidential client's secret (`secret_hash`).
  std::string client_secret_hash(std::string_view secret) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_client_secret_hash(get(), detail::bytes(secret), secret.size(), out, cap,
                                        len);
    });
  }

  const tessera_peppers *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  detail::Owned<tessera_peppers, tessera_peppers_free> h_;
};

/// A new PKCE code verifier (43 characters; RFC 7636 §4.1).
inline std::string pkce_verifier() {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_pkce_verifier_new(out, cap, len);
  });
}
/// The S256 code challenge of a verifier (RFC 7636 §4.2).
inline std::string pkce_challenge(std::string_view verifier) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_pkce_challenge(detail::bytes(verifier), verifier.size(), out, cap, len);
  });
}
/// Whether `verifier` matches `challenge` under `method` ("S256", or "plain" when allowed);
/// throws INVALID_PKCE for malformed values, unknown methods and "plain" when not allowed.
inline bool pkce_verify(std::string_view verifier, std::string_view challenge,
                        std::string_view method = "S256", bool allow_plain = false) {
  return detail::yes_or(
      tessera_pkce_verify(detail::bytes(verifier), verifier.size(), detail::bytes(challenge),
                          challenge.size(), detail::CStr(method).get(), allow_plain),
      static_cast<tessera_result>(TESSERA_RESULT_PKCE_MISMATCH));
}

// ---- wire formats (JSON out; parsers throw the OAuth code to answer with) --------------------

/// An application/x-www-form-urlencoded body (or query) as a JSON object of strings.
inline std::string form_parse(std::string_view body) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_form_parse(detail::bytes(body), body.size(), out, cap, len);
  });
}
/// An authorization request (query string or POST body) as JSON, for Issuer::authorize.
inline std::string authorize_request_parse(std::string_view query) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_authorize_request_parse(detail::bytes(query), query.size(), out, cap, len);
  });
}
/// A token request and the client's authentication: {"request": ..., "client_auth": ...}.
/// `authorization` is the Authorization header (empty: none). Holds secrets.
inline std::string token_request_parse(std::string_view body, std::string_view authorization = {}) {
  detail::CStr header(authorization);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_token_request_parse(detail::bytes(body), body.size(), header.or_null(), out,
                                       cap, len);
  });
}
/// A revocation request and the client's authentication, as token_request_parse().
inline std::string revocation_request_parse(std::string_view body,
                                            std::string_view authorization = {}) {
  detail::CStr header(authorization);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_revocation_request_parse(detail::bytes(body), body.size(), header.or_null(),
                                            out, cap, len);
  });
}
/// An introspection request: {"token": ..., "token_type_hint": ...}.
inline std::string introspection_request_parse(std::string_view body) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_introspection_request_parse(detail::bytes(body), body.size(), out, cap, len);
  });
}
/// The access token of an Authorization header; std::nullopt when the request lacks
/// authentication (no header, or another scheme: answer 401 with bearer_challenge()); throws
/// OAUTH_INVALID_REQUEST for a malformed Bearer header.
inline std::optional<std::string> bearer_token(std::string_view authorization) {
  detail::CStr header(authorization);
  std::string token = detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_bearer_token(header.or_null(), out, cap, len);
  });
  if (token.empty()) return std::nullopt;
  return token;
}
/// The scheme of an access token in the Authorization header.
enum class AuthScheme { Bearer, DPoP };
/// The access token of an Authorization header of scheme Bearer (RFC 6750 §2.1) or DPoP
/// (RFC 9449 §7.1), with its scheme; std::nullopt when the request lacks authentication (no
/// header, or another scheme: answer 401 with dpop_challenge()); throws OAUTH_INVALID_REQUEST
/// for a malformed Bearer or DPoP header. A DPoP token is valid only with its DPoP proof.
inline std::optional<std::pair<AuthScheme, std::string>> access_token(
    std::string_view authorization) {
  detail::CStr header(authorization);
  bool dpop = false;
  std::string token = detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_access_token(header.or_null(), &dpop, out, cap, len);
  });
  if (token.empty()) return std::nullopt;
  return std::make_pair(dpop ? AuthScheme::DPoP : AuthScheme::Bearer, std::move(token));
}
/// The WWW-Authenticate value for a resource request without authentication at a server that
/// accepts DPoP-bound tokens (RFC 9449 §7.1): `DPoP realm="<realm>", algs="<algs>"`, then
/// `, Bearer realm="<realm>"` when `bearer`. Empty realm: none (then `bearer` must be false);
/// `algs` is a space-separated list of JWS algorithm names (empty: none).
inline std::string dpop_challenge(std::string_view realm, std::string_view algs,
                                  bool bearer = false) {
  detail::CStr r(realm), a(algs);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_dpop_challenge(r.or_null(), a.or_null(), bearer, out, cap, len);
  });
}
/// The WWW-Authenticate value for a resource request without authentication.
inline std::string bearer_challenge(std::string_view realm) {
  detail::CStr r(realm);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_bearer_challenge(r.get(), out, cap, len);
  });
}
/// The token endpoint's error response for a result code: {"status", "body", "headers"}.
/// Empty description: none. `realm` builds the challenge every 401 carries (Basic for
/// invalid_client, Bearer for invalid_token); an empty realm with a 401 code throws
/// TESSERA_RESULT_INVALID_ARGUMENT.
inline std::string error_response(std::uint32_t code, std::string_view description = {},
                                  std::string_view realm = {}) {
  detail::CStr d(description), r(realm);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_error_response(code, d.or_null(), r.or_null(), out, cap, len);
  });
}
/// A resource server's error response (RFC 6750 §3), with a Bearer challenge for `realm`.
inline std::string resource_error_response(std::uint32_t code, std::string_view description,
                                           std::string_view realm,
                                           std::string_view required_scope = {}) {
  detail::CStr d(description), r(realm), s(required_scope);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_resource_error_response(code, d.or_null(), r.get(), s.or_null(), out, cap,
                                           len);
  });
}
/// A resource server's error response with the DPoP challenge (RFC 9449 §7.1, §9): DPoP errors
/// are 401 here; the WWW-Authenticate value lists DPoP first (with `algs`, a space-separated
/// list of JWS algorithm names), then Bearer when `bearer`.
inline std::string resource_error_response_dpop(std::uint32_t code, std::string_view description,
                                                std::string_view realm, std::string_view algs,
                                                std::string_view required_scope = {},
                                                bool bearer = true) {
  detail::CStr d(description), r(realm), a(algs), s(required_scope);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_resource_error_response_dpop(code, d.or_null(), r.or_null(), s.or_null(),
                                                a.or_null(), bearer, out, cap, len);
  });
}
/// `base` with the parameters of `params_json` (an object of strings) added, in "query" or
/// "fragment" mode (empty: query).
inline std::string redirect_uri(std::string_view base, std::string_view params_json = {},
                                std::string_view mode = {}) {
  detail::CStr b(base), m(mode);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_redirect_uri(b.get(), detail::bytes(params_json), params_json.size(),
                                m.or_null(), out, cap, len);
  });
}
/// Whether a presented redirect URI matches a registered one (exact; loopback ports aside).
inline bool redirect_uri_matches(std::string_view registered, std::string_view presented) {
  bool out = false;
  detail::check(tessera_redirect_uri_matches(detail::CStr(registered).get(),
                                             detail::CStr(presented).get(), &out));
  return out;
}
/// RFC 8414 authorization server metadata, validated and normalised.
inline std::string server_metadata(std::string_view json) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_server_metadata(detail::bytes(json), json.size(), out, cap, len);
  });
}
/// Where the metadata of `issuer` is served (RFC 8414 §3.1): the well-known string inserted
/// between the host and the path, the path kept byte for byte.
inline std::string server_metadata_url(std::string_view issuer) {
  detail::CStr i(issuer);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_server_metadata_url(i.get(), out, cap, len);
  });
}

// ---- the issuer -----------------------------------------------------------------------------

/// The token issuer of an authorization server: its endpoints as pure functions over JSON
/// (shapes in tessera.h). Empty `client_json`/`state_json`: none (C `(NULL, 0)`). Outcomes
/// carry refusals ("ok": false, "outcome": "rejected"...) and the state and effects to persist
/// before answering; exceptions are argument errors only. Immutable: share across threads.
class Issuer {
 public:
  /// Copies `signing_key` (private or HMAC) and `peppers`: both may be destroyed afterwards.
  Issuer(std::string_view policy_json, const Key &signing_key, const Peppers &peppers) {
    tessera_issuer *i = nullptr;
    detail::check(tessera_issuer_new(detail::bytes(policy_json), policy_json.size(),
                                     signing_key.get(), peppers.get(), &i));
    h_.reset(i);
  }

  /// Before the consent page: {"outcome": "ok", "scope": ...} or a refusal.
  std::string check_authorize(std::string_view client_json, std::string_view request_json) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_check_authorize(get(), detail::bytes(client_json), client_json.size(),
                                            detail::bytes(request_json), request_json.size(), out,
                                            cap, len);
    });
  }
  /// `subject` approved: {"outcome": "granted", "redirect", "state", "effects"} or a refusal.
  std::string authorize(std::string_view client_json, std::string_view request_json,
                        std::string_view subject, std::int64_t now) const {
    detail::CStr sub(subject);
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_authorize(get(), detail::bytes(client_json), client_json.size(),
                                      detail::bytes(request_json), request_json.size(), sub.get(),
                                      now, out, cap, len);
    });
  }
  /// The resource owner refused: an access_denied redirect, or "fatal".
  std::string deny(std::string_view client_json, std::string_view request_json) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_deny(get(), detail::bytes(client_json), client_json.size(),
                                 detail::bytes(request_json), request_json.size(), out, cap, len);
    });
  }
  /// The token endpoint: {"ok", "response", "error", "state", "effects"}. `client_auth_json`
  /// and `request_json` are the members of token_request_parse()'s output.
  std::string token(std::string_view client_json, std::string_view client_auth_json,
                    std::string_view state_json, std::string_view request_json,
                    std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_token(get(), detail::bytes(client_json), client_json.size(),
                                  detail::bytes(client_auth_json), client_auth_json.size(),
                                  detail::bytes(state_json), state_json.size(),
                                  detail::bytes(request_json), request_json.size(), now, out, cap,
                                  len);
    });
  }
  /// token() for a sender-constrained access token: `cnf_json` is what it is bound to,
  /// {"jkt": "<DPoP key thumbprint>"} and/or {"x5t#S256": "<certificate thumbprint>"} (empty:
  /// unbound, exactly token()). The response's token_type is "DPoP" when "jkt" is set.
  std::string token_bound(std::string_view client_json, std::string_view client_auth_json,
                          std::string_view state_json, std::string_view request_json,
                          std::string_view cnf_json, std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_token_bound(
          get(), detail::bytes(client_json), client_json.size(), detail::bytes(client_auth_json),
          client_auth_json.size(), detail::bytes(state_json), state_json.size(),
          detail::bytes(request_json), request_json.size(), detail::bytes(cnf_json),
          cnf_json.size(), now, out, cap, len);
    });
  }
  /// Where to find a presented token's state: {"locator": "lookup" | "family" | "none", ...}.
  std::string locate(std::string_view token, std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_locate(get(), detail::bytes(token), token.size(), now, out, cap, len);
    });
  }
  /// The revocation endpoint (RFC 7009): an outcome as for token().
  std::string revoke(std::string_view client_json, std::string_view client_auth_json,
                     std::string_view state_json, std::string_view token,
                     std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_revoke(get(), detail::bytes(client_json), client_json.size(),
                                   detail::bytes(client_auth_json), client_auth_json.size(),
                                   detail::bytes(state_json), state_json.size(),
                                   detail::bytes(token), token.size(), now, out, cap, len);
    });
  }
  /// Revokes a whole family at the host's initiative: {"state", "effects"}.
  std::string revoke_family(std::string_view state_json, std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_revoke_family(get(), detail::bytes(state_json), state_json.size(),
                                          now, out, cap, len);
    });
  }
  /// The introspection response body (RFC 7662): {"active": false} for anything inactive.
  std::string introspect(std::string_view state_json, std::string_view token,
                         std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_introspect(get(), detail::bytes(state_json), state_json.size(),
                                       detail::bytes(token), token.size(), now, out, cap, len);
    });
  }
  /// A task-scoped engine token: {"token", "expires_at", "scope", "jti"}; throws
  /// OAUTH_INVALID_SCOPE when `parent_scope` does not cover `requested_scope`.
  std::string engine_token(std::string_view parent_scope, std::string_view requested_scope,
                           std::string_view subject, std::string_view audience,
                           std::int64_t now) const {
    detail::CStr parent(parent_scope), requested(requested_scope), sub(subject), aud(audience);
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_issuer_engine_token(get(), parent.get(), requested.get(), sub.get(),
                                         aud.get(), now, out, cap, len);
    });
  }

  const tessera_issuer *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  detail::Owned<tessera_issuer, tessera_issuer_free> h_;
};

// ---- DPoP (RFC 9449) and certificate binding (RFC 8705 §3) -----------------------------------

namespace detail {
/// A cnf output: the JSON text, or std::nullopt for `null` (an unbound token).
inline std::optional<std::string> cnf_or_null(std::string json) {
  if (json == "null") return std::nullopt;
  return json;
}
}  // namespace detail

/// Sender-constrained tokens: DPoP proofs, server nonces, the replay cache and the resource
/// server's cnf check. The host's steps are in tessera.h (tessera_dpop_validator).
namespace dpop {

/// A DPoP proof for one request (`htm` the method, `htu` the absolute URI), signed with the
/// private `key`. `nonce` empty: none; `access_token` empty: none (else its `ath` is added).
/// Every call makes a new proof (new jti).
inline std::string create_proof(const Key &key, std::string_view htm, std::string_view htu,
                                std::int64_t now, std::string_view nonce = {},
                                std::string_view access_token = {}) {
  detail::CStr m(htm), u(htu), n(nonce);
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_dpop_proof_create(key.get(), m.get(), u.get(), now, n.or_null(),
                                     detail::bytes(access_token), access_token.size(), out, cap,
                                     len);
  });
}

/// The `ath` of an access token: base64url(SHA-256(token)).
inline std::string ath(std::string_view access_token) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_dpop_ath(detail::bytes(access_token), access_token.size(), out, cap, len);
  });
}

/// The RFC 8705 x5t#S256 of a DER client certificate.
inline std::string certificate_thumbprint(std::string_view der) {
  return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
    return tessera_certificate_thumbprint(detail::bytes(der), der.size(), out, cap, len);
  });
}

/// Server nonces without storage (HMAC key and time step). Immutable: share across threads.
class NonceIssuer {
 public:
  /// `secret`: at least 32 bytes; `step_seconds`: 1 to 86,400.
  explicit NonceIssuer(std::string_view secret, std::uint64_t step_seconds = 300) {
    tessera_dpop_nonce_issuer *i = nullptr;
    detail::check(
        tessera_dpop_nonce_issuer_new(detail::bytes(secret), secret.size(), step_seconds, &i));
    h_.reset(i);
  }
  /// The DPoP-Nonce value to send at `now`.
  std::string nonce(std::int64_t now) const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_dpop_nonce_issuer_nonce(get(), now, out, cap, len);
    });
  }
  /// Whether this issuer made `nonce` at `now`'s step or the one before.
  bool check(std::string_view nonce, std::int64_t now) const {
    return detail::yes_or(
        tessera_dpop_nonce_issuer_check(get(), detail::bytes(nonce), nonce.size(), now),
        TESSERA_RESULT_DPOP_NONCE_INVALID);
  }
  const tessera_dpop_nonce_issuer *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  detail::Owned<tessera_dpop_nonce_issuer, tessera_dpop_nonce_issuer_free> h_;
};

/// A validated proof. Immutable: share across threads.
class Proof {
 public:
  /// {"jkt", "jti", "iat", "nonce", "alg", "htm", "htu", "replay_until"}.
  std::string json() const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_dpop_proof_json(get(), out, cap, len);
    });
  }
  /// The RFC 7638 thumbprint of the proof's key (bind tokens with {"cnf": {"jkt": ...}}).
  std::string jkt() const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_dpop_proof_jkt(get(), out, cap, len);
    });
  }
  const tessera_dpop_proof *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  friend class Validator;
  explicit Proof(tessera_dpop_proof *p) noexcept : h_(p) {}
  detail::Owned<tessera_dpop_proof, tessera_dpop_proof_free> h_;
};

/// Checks DPoP proofs (RFC 9449 §4.3). Immutable: share across threads.
class Validator {
 public:
  /// `config_json`: {"algorithms": [...], "iat_window": 60, "max_len": 8192}, each optional
  /// (empty: the defaults). `nonces`: require server nonces from that issuer (copied).
  explicit Validator(std::string_view config_json = {}, const NonceIssuer *nonces = nullptr) {
    tessera_dpop_validator *v = nullptr;
    detail::check(tessera_dpop_validator_new(detail::bytes(config_json), config_json.size(),
                                             nonces ? nonces->get() : nullptr, &v));
    h_.reset(v);
  }
  /// Validates `proof` for a request (`access_token` empty at the token endpoint); throws
  /// Error with the rule's code (TESSERA_RESULT_DPOP_*). Refuse replays afterwards.
  Proof validate(std::string_view proof, std::string_view htm, std::string_view htu,
                 std::int64_t now, std::string_view access_token = {}) const {
    detail::CStr m(htm), u(htu);
    tessera_dpop_proof *p = nullptr;
    detail::check(tessera_dpop_validate(get(), detail::bytes(proof), proof.size(), m.get(),
                                        u.get(), detail::bytes(access_token),
                                        access_token.size(), now, &p));
    return Proof(p);
  }
  /// The DPoP-Nonce value to send at `now`; std::nullopt when no nonce is required.
  std::optional<std::string> nonce(std::int64_t now) const {
    std::string n = detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_dpop_validator_nonce(get(), now, out, cap, len);
    });
    if (n.empty()) return std::nullopt;
    return n;
  }
  /// The accepted algorithms, space-separated.
  std::string algorithms() const {
    return detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
      return tessera_dpop_validator_algorithms(get(), out, cap, len);
    });
  }
  const tessera_dpop_validator *get() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  detail::Owned<tessera_dpop_validator, tessera_dpop_validator_free> h_;
};

/// A bounded in-memory replay cache for one process. Thread-safe (locks internally).
class ReplayCache {
 public:
  explicit ReplayCache(std::size_t capacity) {
    tessera_replay_cache *c = nullptr;
    detail::check(tessera_replay_cache_new(capacity, &c));
    h_.reset(c);
  }
  /// Records `value` within `scope` until `until`: false when it is a replay.
  bool check_and_record(std::string_view scope, std::string_view value, std::int64_t until,
                        std::int64_t now) {
    return detail::yes_or(
        tessera_replay_cache_check_and_record(get(), detail::bytes(scope), scope.size(),
                                              detail::bytes(value), value.size(), until, now),
        TESSERA_RESULT_DPOP_REPLAY);
  }
  /// Records a validated proof's jti: false when it is a replay.
  bool check_proof(const Proof &proof, std::int64_t now) {
    return detail::yes_or(tessera_replay_cache_check_proof(get(), proof.get(), now),
                          TESSERA_RESULT_DPOP_REPLAY);
  }
  struct Stats {
    std::size_t len, capacity;
    std::uint64_t evicted_live;
  };
  Stats stats() const {
    Stats s{0, 0, 0};
    detail::check(tessera_replay_cache_stats(h_.get(), &s.len, &s.capacity, &s.evicted_live));
    return s;
  }
  tessera_replay_cache *get() noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 private:
  detail::Owned<tessera_replay_cache, tessera_replay_cache_free> h_;
};

/// The resource server's binding check: `claims_json` of a verified token, `proof` the
/// validated proof of a DPoP request (nullptr: Bearer), `client_cert_der` the mTLS
/// certificate (empty: none). Returns the cnf JSON, or std::nullopt for an unbound token;
/// throws Error (TESSERA_RESULT_DPOP_BOUND_TOKEN, ..._KEY_MISMATCH, ..._CERTIFICATE_MISMATCH,
/// ..._UNBOUND_TOKEN).
inline std::optional<std::string> check_binding(std::string_view claims_json,
                                                const Proof *proof = nullptr,
                                                std::string_view client_cert_der = {},
                                                bool require_bound = false) {
  return detail::cnf_or_null(
      detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
        return tessera_dpop_check_binding(
            detail::bytes(claims_json), claims_json.size(),
            proof ? proof->get() : nullptr, detail::bytes(client_cert_der),
            client_cert_der.size(), require_bound, out, cap, len);
      }));
}
/// check_binding() for a token verified with Verifier::verify_full.
inline std::optional<std::string> check_binding(const Verified &verified,
                                                const Proof *proof = nullptr,
                                                std::string_view client_cert_der = {},
                                                bool require_bound = false) {
  return detail::cnf_or_null(
      detail::read([&](std::uint8_t *out, std::size_t cap, std::size_t *len) {
        return tessera_verified_check_binding(verified.get(), proof ? proof->get() : nullptr,
                                              detail::bytes(client_cert_der),
                                              client_cert_der.size(), require_bound, out, cap,
                                              len);
      }));
}

}  // namespace dpop

}  // namespace tessera

#endif  // TESSERA_HPP
