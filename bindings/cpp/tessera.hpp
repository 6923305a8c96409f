// tessera.hpp: a header-only C++17 wrapper over the tessera C ABI (tessera.h).
// SPDX-License-Identifier: MIT OR Apache-2.0
//
// - Move-only RAII handles: Key, KeySet, VerifierBuilder, Verifier, Verified. A moved-from
//   handle is empty; using it throws Error(TESSERA_RESULT_NULL_POINTER).
// - Inputs are std::string_view (bytes or UTF-8 text); outputs are std::string (the
//   BUFFER_TOO_SMALL retry happens inside). Short identifiers (algorithm names, kid, issuer,
//   claim names) must not contain NUL: such a view throws Error(TESSERA_RESULT_INVALID_ARGUMENT)
//   rather than being cut short. An empty `alg` means "none given" (C NULL).
// - Failures throw tessera::Error (a std::runtime_error) carrying code(), name() and
//   description(). Hot paths have non-throwing variants: Verifier::check and check_batch
//   return result codes.
// - Key, KeySet, Verifier and Verified are immutable: share them across threads. A
//   VerifierBuilder is not thread-safe.
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
/// The stable snake_case name of a result code ("invalid_signature", "ok", "unknown").
inline const char *result_name(std::uint32_t code) noexcept { return tessera_result_name(code); }
/// The description of a result code.
inline const char *result_str(std::uint32_t code) noexcept { return tessera_result_str(code); }

/// Success, as a tessera_result (TESSERA_RESULT_OK is a plain integer macro).
inline constexpr tessera_result ok = static_cast<tessera_result>(TESSERA_RESULT_OK);

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

struct KeyFree {
  void operator()(tessera_key *p) const noexcept { tessera_key_free(p); }
};
struct KeySetFree {
  void operator()(tessera_keyset *p) const noexcept { tessera_keyset_free(p); }
};
struct BuilderFree {
  void operator()(tessera_verifier_builder *p) const noexcept { tessera_verifier_builder_free(p); }
};
struct VerifierFree {
  void operator()(tessera_verifier *p) const noexcept { tessera_verifier_free(p); }
};
struct VerifiedFree {
  void operator()(tessera_verified *p) const noexcept { tessera_verified_free(p); }
};

}  // namespace detail

class Key;
using KeyRefs = std::initializer_list<std::reference_wrapper<const Key>>;

/// A signing or verification key bound to one algorithm.
class Key {
 public:
  /// Generates ES256, ES384, EdDSA, Ed25519 or HS256/384/512 keys (RSA: load one instead).
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
  std::unique_ptr<tessera_key, detail::KeyFree> h_;
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
  std::unique_ptr<tessera_keyset, detail::KeySetFree> h_;
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
  std::unique_ptr<tessera_verified, detail::VerifiedFree> h_;
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
  std::unique_ptr<tessera_verifier, detail::VerifierFree> h_;
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
  std::unique_ptr<tessera_verifier_builder, detail::BuilderFree> h_;
};

}  // namespace tessera

#endif  // TESSERA_HPP
