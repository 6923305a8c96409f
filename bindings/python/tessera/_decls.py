"""Declarations generated from include/tessera.h: do not edit by hand.

Refresh with `python3 bindings/python/tools/gen_decls.py`; a test fails when this file is stale.
"""

# fmt: off
from __future__ import annotations

from ctypes import POINTER, c_bool, c_char_p, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from typing import Any, Dict, Tuple, Type

from ._exceptions import (
    ArgumentError,
    BadSignatureError,
    ClaimMismatchError,
    DecodeError,
    ExpiredError,
    InvalidDpopProofError,
    InvalidKeyError,
    InvalidTokenError,
    NotYetValidError,
    OAuthError,
    OpaqueTokenError,
    PkceError,
    ScopeError,
    TokenBindingError,
    UseDpopNonceError,
    TesseraError,
)

VERSION_MAJOR = 0
VERSION_MINOR = 1
VERSION_PATCH = 0
VERSION_STRING = '0.1.0'

#: The longest detail text the library writes, in bytes (TESSERA_MAX_DETAIL_LEN).
MAX_DETAIL_LEN = 160

RESULT_OK = 0
RESULT_INVALID_ARGUMENT = 1
RESULT_BUFFER_TOO_SMALL = 2
RESULT_PANIC = 3
RESULT_NULL_POINTER = 4
RESULT_INVALID_UTF8 = 5
RESULT_RANDOM_FAILURE = 6
RESULT_UNSUPPORTED = 7
RESULT_WRONG_HANDLE = 8
RESULT_MALFORMED_TOKEN = 100
RESULT_INVALID_BASE64 = 101
RESULT_INVALID_JSON = 102
RESULT_DUPLICATE_MEMBER = 103
RESULT_TOO_LARGE = 104
RESULT_INVALID_HEADER = 105
RESULT_UNSUPPORTED_CRITICAL = 106
RESULT_TOO_DEEP = 107
RESULT_INVALID_KEY = 200
RESULT_UNSUPPORTED_KEY = 201
RESULT_WEAK_KEY = 202
RESULT_KEY_ALGORITHM_MISMATCH = 203
RESULT_KEY_USAGE = 204
RESULT_KEY_NOT_FOUND = 205
RESULT_AMBIGUOUS_KEY_SET = 206
RESULT_NOT_PRIVATE_KEY = 207
RESULT_NO_PUBLIC_KEY = 208
RESULT_UNSUPPORTED_ALGORITHM = 300
RESULT_ALGORITHM_MISMATCH = 301
RESULT_INVALID_SIGNATURE = 302
RESULT_EXPIRED = 400
RESULT_NOT_YET_VALID = 401
RESULT_ISSUED_IN_FUTURE = 402
RESULT_TOO_OLD = 403
RESULT_MISSING_CLAIM = 404
RESULT_INVALID_CLAIM_TYPE = 405
RESULT_ISSUER_MISMATCH = 406
RESULT_AUDIENCE_MISMATCH = 407
RESULT_SUBJECT_MISMATCH = 408
RESULT_TYPE_MISMATCH = 409
RESULT_INVALID_SCOPE = 500
RESULT_SCOPE_NOT_GRANTED = 501
RESULT_MALFORMED_OPAQUE_TOKEN = 600
RESULT_TOKEN_CHECKSUM = 601
RESULT_WRONG_TOKEN_KIND = 602
RESULT_TOKEN_MISMATCH = 603
RESULT_INVALID_PKCE = 604
RESULT_PKCE_MISMATCH = 605
RESULT_OAUTH_INVALID_REQUEST = 700
RESULT_OAUTH_INVALID_CLIENT = 701
RESULT_OAUTH_INVALID_GRANT = 702
RESULT_OAUTH_UNAUTHORIZED_CLIENT = 703
RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE = 704
RESULT_OAUTH_INVALID_SCOPE = 705
RESULT_OAUTH_ACCESS_DENIED = 706
RESULT_OAUTH_UNSUPPORTED_RESPONSE_TYPE = 707
RESULT_OAUTH_SERVER_ERROR = 708
RESULT_OAUTH_TEMPORARILY_UNAVAILABLE = 709
RESULT_OAUTH_INVALID_TOKEN = 710
RESULT_OAUTH_INSUFFICIENT_SCOPE = 711
RESULT_OAUTH_INVALID_DPOP_PROOF = 712
RESULT_OAUTH_USE_DPOP_NONCE = 713
RESULT_DPOP_MALFORMED = 800
RESULT_DPOP_TYPE = 801
RESULT_DPOP_ALGORITHM = 802
RESULT_DPOP_KEY = 803
RESULT_DPOP_SIGNATURE = 804
RESULT_DPOP_METHOD = 805
RESULT_DPOP_URI = 806
RESULT_DPOP_IAT = 807
RESULT_DPOP_JTI = 808
RESULT_DPOP_NONCE_REQUIRED = 809
RESULT_DPOP_NONCE_INVALID = 810
RESULT_DPOP_ATH = 811
RESULT_DPOP_REPLAY = 812
RESULT_DPOP_KEY_MISMATCH = 813
RESULT_DPOP_PROOF_REQUIRED = 814
RESULT_DPOP_BOUND_TOKEN = 815
RESULT_UNBOUND_TOKEN = 816
RESULT_CERTIFICATE_MISMATCH = 817

#: Every `tessera_result` error code: (code, constant name without the prefix, doc).
RESULTS: Tuple[Tuple[int, str, str], ...] = (
    (1, 'INVALID_ARGUMENT', 'An argument is out of its documented range or malformed (not attacker input: a caller bug).'),
    (2, 'BUFFER_TOO_SMALL', "The caller's output buffer is too small; the needed size was reported (C ABI)."),
    (3, 'PANIC', 'A panic was caught at the C ABI boundary. Always a tessera bug; please report it.'),
    (4, 'NULL_POINTER', 'A required pointer argument was NULL (C ABI).'),
    (5, 'INVALID_UTF8', 'Text that must be UTF-8 was not (C ABI, wire formats).'),
    (6, 'RANDOM_FAILURE', 'The system random number generator failed.'),
    (7, 'UNSUPPORTED', 'The operation is not supported by this build or by `ring` (e.g. RSA key generation).'),
    (8, 'WRONG_HANDLE', 'A handle of the wrong kind was passed (C ABI).'),
    (100, 'MALFORMED_TOKEN', 'The token is not a JWS compact serialization: wrong number of parts or an empty part.'),
    (101, 'INVALID_BASE64', 'A part is not strict base64url (padding, stray characters or non-zero trailing bits).'),
    (102, 'INVALID_JSON', 'A JSON text is malformed, or is not an object where an object is required.'),
    (103, 'DUPLICATE_MEMBER', 'A JSON object has the same member name twice (RFC 7515 §5.2, RFC 7519 §4).'),
    (104, 'TOO_LARGE', 'An input exceeds a size limit (checked before any decoding).'),
    (105, 'INVALID_HEADER', 'The JOSE header is invalid: a member of the wrong type, or a missing `alg`.'),
    (106, 'UNSUPPORTED_CRITICAL', 'The header lists a critical extension (`crit`) the caller did not declare understood.'),
    (107, 'TOO_DEEP', 'JSON nesting is deeper than the limit.'),
    (200, 'INVALID_KEY', 'Key material is malformed (bad DER, PEM, JWK member or inconsistent components).'),
    (201, 'UNSUPPORTED_KEY', 'The key type or curve is not supported (e.g. P-521, Ed448, X25519, encrypted PEM).'),
    (202, 'WEAK_KEY', 'The key is too weak: a short HMAC secret, an RSA modulus under 2048 bits, a bad exponent, or a modulus with the ROCA fingerprint.'),
    (203, 'KEY_ALGORITHM_MISMATCH', 'The key cannot be used with the requested algorithm, or no algorithm could be bound to it.'),
    (204, 'KEY_USAGE', "The key's `use` or `key_ops` forbid this operation."),
    (205, 'KEY_NOT_FOUND', "No key in the key set matches the token's `kid` and algorithm."),
    (206, 'AMBIGUOUS_KEY_SET', 'The key set is ambiguous: duplicate `kid`, or symmetric and asymmetric keys mixed.'),
    (207, 'NOT_PRIVATE_KEY', 'The operation needs a private key and was given a public one.'),
    (208, 'NO_PUBLIC_KEY', 'HMAC keys have no public form (they cannot appear in a JWKS or a public JWK).'),
    (300, 'UNSUPPORTED_ALGORITHM', 'The algorithm is unknown, `none`, or not available in `ring` (ES512, ES256K, Ed448).'),
    (301, 'ALGORITHM_MISMATCH', "The header's `alg` is not the algorithm the key is bound to."),
    (302, 'INVALID_SIGNATURE', 'The signature or MAC does not verify. Deliberately says nothing more.'),
    (400, 'EXPIRED', 'The token has expired (`exp`, with leeway).'),
    (401, 'NOT_YET_VALID', 'The token is not yet valid (`nbf`, with leeway).'),
    (402, 'ISSUED_IN_FUTURE', '`iat` lies in the future (beyond the leeway).'),
    (403, 'TOO_OLD', "The token is older than the policy's maximum age (`iat` + max age)."),
    (404, 'MISSING_CLAIM', 'A required claim (or one implied by an expected value) is absent.'),
    (405, 'INVALID_CLAIM_TYPE', 'A claim has the wrong JSON type (e.g. `exp` as a string, `aud` as a number).'),
    (406, 'ISSUER_MISMATCH', '`iss` is not an accepted issuer.'),
    (407, 'AUDIENCE_MISMATCH', 'No `aud` value is an accepted audience.'),
    (408, 'SUBJECT_MISMATCH', '`sub` is not the expected subject.'),
    (409, 'TYPE_MISMATCH', 'The header `typ` is not the expected type (e.g. `at+jwt`).'),
    (500, 'INVALID_SCOPE', 'A scope string breaks the RFC 6749 §3.3 grammar.'),
    (501, 'SCOPE_NOT_GRANTED', 'A requested scope is not covered by the granted scopes.'),
    (600, 'MALFORMED_OPAQUE_TOKEN', 'An opaque token does not have the expected shape (prefix, kind, length, alphabet).'),
    (601, 'TOKEN_CHECKSUM', "An opaque token's checksum does not match (mistyped or truncated)."),
    (602, 'WRONG_TOKEN_KIND', 'An opaque token is of another kind than the one expected (e.g. a refresh token as a code).'),
    (603, 'TOKEN_MISMATCH', 'A stored lookup hash does not match the token.'),
    (604, 'INVALID_PKCE', 'A PKCE code verifier or challenge breaks RFC 7636 §4.1/§4.2.'),
    (605, 'PKCE_MISMATCH', 'The PKCE verifier does not match the challenge.'),
    (700, 'OAUTH_INVALID_REQUEST', 'RFC 6749 `invalid_request`.'),
    (701, 'OAUTH_INVALID_CLIENT', 'RFC 6749 `invalid_client`.'),
    (702, 'OAUTH_INVALID_GRANT', 'RFC 6749 `invalid_grant`.'),
    (703, 'OAUTH_UNAUTHORIZED_CLIENT', 'RFC 6749 `unauthorized_client`.'),
    (704, 'OAUTH_UNSUPPORTED_GRANT_TYPE', 'RFC 6749 `unsupported_grant_type`.'),
    (705, 'OAUTH_INVALID_SCOPE', 'RFC 6749 `invalid_scope`.'),
    (706, 'OAUTH_ACCESS_DENIED', 'RFC 6749 `access_denied`.'),
    (707, 'OAUTH_UNSUPPORTED_RESPONSE_TYPE', 'RFC 6749 `unsupported_response_type`.'),
    (708, 'OAUTH_SERVER_ERROR', 'RFC 6749 `server_error`.'),
    (709, 'OAUTH_TEMPORARILY_UNAVAILABLE', 'RFC 6749 `temporarily_unavailable`.'),
    (710, 'OAUTH_INVALID_TOKEN', 'RFC 6750 §3.1 `invalid_token`.'),
    (711, 'OAUTH_INSUFFICIENT_SCOPE', 'RFC 6750 §3.1 `insufficient_scope`.'),
    (712, 'OAUTH_INVALID_DPOP_PROOF', 'RFC 9449 §12.2 `invalid_dpop_proof`.'),
    (713, 'OAUTH_USE_DPOP_NONCE', 'RFC 9449 §12.2 `use_dpop_nonce`: retry with the nonce in the `DPoP-Nonce` header.'),
    (800, 'DPOP_MALFORMED', 'The DPoP proof is not exactly one well-formed JWS (structure, base64url, JSON, header, size), or a request carries more than one `DPoP` header.'),
    (801, 'DPOP_TYPE', "The DPoP proof's header `typ` is not exactly `dpop+jwt` (RFC 9449 §4.3 rule 4)."),
    (802, 'DPOP_ALGORITHM', "The DPoP proof's `alg` is `none`, symmetric, or not in the allowed list (rule 5)."),
    (803, 'DPOP_KEY', "The DPoP proof's `jwk` is missing, malformed, holds private members, or does not fit `alg` (rule 7)."),
    (804, 'DPOP_SIGNATURE', "The DPoP proof's signature does not verify with its `jwk` (rule 6)."),
    (805, 'DPOP_METHOD', "The DPoP proof's `htm` is missing or is not the request method (rule 8)."),
    (806, 'DPOP_URI', "The DPoP proof's `htu` is missing, malformed, or is not the request URI (rule 9)."),
    (807, 'DPOP_IAT', "The DPoP proof's `iat` is missing or outside the accepted window (rule 11)."),
    (808, 'DPOP_JTI', "The DPoP proof's `jti` is missing, empty or too long (rule 3/§4.2)."),
    (809, 'DPOP_NONCE_REQUIRED', 'The server requires a DPoP nonce and the proof has none (rule 10; `use_dpop_nonce`).'),
    (810, 'DPOP_NONCE_INVALID', "The DPoP proof's nonce is not one the server issued recently (`use_dpop_nonce`)."),
    (811, 'DPOP_ATH', "The DPoP proof's `ath` is missing or is not the hash of the access token (rule 12)."),
    (812, 'DPOP_REPLAY', "The DPoP proof's `jti` was seen before inside the window (RFC 9449 §11.1)."),
    (813, 'DPOP_KEY_MISMATCH', "The DPoP proof's key is not the key the token, code or refresh token is bound to."),
    (814, 'DPOP_PROOF_REQUIRED', 'A DPoP proof is required and none was presented (a DPoP-bound token, or a client that registered `dpop_bound_access_tokens`).'),
    (815, 'DPOP_BOUND_TOKEN', 'A DPoP-bound access token was presented with the `Bearer` scheme (RFC 9449 §7.2).'),
    (816, 'UNBOUND_TOKEN', 'Policy requires a sender-constrained token and the token has no `cnf` claim.'),
    (817, 'CERTIFICATE_MISMATCH', "The certificate-bound token's `x5t#S256` does not match the client certificate, or no certificate was presented (RFC 8705 §3)."),
)

#: The opaque handle types of the header.
HANDLES: Tuple[str, ...] = (
    'tessera_dpop_nonce_issuer',
    'tessera_dpop_proof',
    'tessera_dpop_validator',
    'tessera_issuer',
    'tessera_key',
    'tessera_keyset',
    'tessera_peppers',
    'tessera_replay_cache',
    'tessera_scope_policy',
    'tessera_scopes',
    'tessera_verified',
    'tessera_verifier',
    'tessera_verifier_builder',
)

#: name -> (restype, argtypes, parameter names), in header order.
FUNCTIONS: Dict[str, Tuple[Any, Tuple[Any, ...], Tuple[str, ...]]] = {
    'tessera_result_str': (c_char_p, (c_uint32,), ('code',)),
    'tessera_result_name': (c_char_p, (c_uint32,), ('code',)),
    'tessera_version': (c_char_p, (), ()),
    'tessera_backend': (c_char_p, (), ()),
    'tessera_key_from_pem': (c_uint32, (c_char_p, c_size_t, c_char_p, POINTER(c_void_p)), ('pem', 'pem_len', 'alg', 'out')),
    'tessera_key_from_der': (c_uint32, (c_char_p, c_size_t, c_char_p, POINTER(c_void_p)), ('der', 'der_len', 'alg', 'out')),
    'tessera_key_from_jwk': (c_uint32, (c_char_p, c_size_t, c_char_p, POINTER(c_void_p)), ('jwk', 'jwk_len', 'alg', 'out')),
    'tessera_key_hmac': (c_uint32, (c_char_p, c_size_t, c_char_p, POINTER(c_void_p)), ('secret', 'secret_len', 'alg', 'out')),
    'tessera_key_generate': (c_uint32, (c_char_p, POINTER(c_void_p)), ('alg', 'out')),
    'tessera_key_with_kid': (c_uint32, (c_void_p, c_char_p, POINTER(c_void_p)), ('key', 'kid', 'out')),
    'tessera_key_public': (c_uint32, (c_void_p, POINTER(c_void_p)), ('key', 'out')),
    'tessera_key_free': (None, (c_void_p,), ('key',)),
    'tessera_key_alg': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_kid': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_is_private': (c_uint32, (c_void_p, POINTER(c_bool)), ('key', 'out')),
    'tessera_key_public_jwk': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_private_jwk': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_public_pem': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_private_pem': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_key_thumbprint': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'out', 'cap', 'out_len')),
    'tessera_jwks': (c_uint32, (POINTER(c_void_p), c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('keys', 'count', 'out', 'cap', 'out_len')),
    'tessera_keyset_from_jwks': (c_uint32, (c_char_p, c_size_t, c_char_p, POINTER(c_void_p)), ('jwks', 'jwks_len', 'default_algs', 'out')),
    'tessera_keyset_new': (c_uint32, (POINTER(c_void_p), c_size_t, POINTER(c_void_p)), ('keys', 'count', 'out')),
    'tessera_keyset_len': (c_uint32, (c_void_p, POINTER(c_size_t)), ('set', 'out')),
    'tessera_keyset_to_jwks': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('set', 'out', 'cap', 'out_len')),
    'tessera_keyset_free': (None, (c_void_p,), ('set',)),
    'tessera_sign': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'header_json', 'header_len', 'claims_json', 'claims_len', 'out', 'cap', 'out_len')),
    'tessera_sign_jws': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'protected_header', 'header_len', 'payload', 'payload_len', 'out', 'cap', 'out_len')),
    'tessera_verifier_builder_new': (c_uint32, (POINTER(c_void_p),), ('out',)),
    'tessera_verifier_builder_add_issuer': (c_uint32, (c_void_p, c_char_p), ('builder', 'issuer')),
    'tessera_verifier_builder_add_audience': (c_uint32, (c_void_p, c_char_p), ('builder', 'audience')),
    'tessera_verifier_builder_set_subject': (c_uint32, (c_void_p, c_char_p), ('builder', 'subject')),
    'tessera_verifier_builder_set_typ': (c_uint32, (c_void_p, c_char_p), ('builder', 'typ')),
    'tessera_verifier_builder_require_claim': (c_uint32, (c_void_p, c_char_p), ('builder', 'name')),
    'tessera_verifier_builder_add_critical': (c_uint32, (c_void_p, c_char_p), ('builder', 'name')),
    'tessera_verifier_builder_add_algorithm': (c_uint32, (c_void_p, c_char_p), ('builder', 'alg')),
    'tessera_verifier_builder_set_leeway': (c_uint32, (c_void_p, c_uint64), ('builder', 'seconds')),
    'tessera_verifier_builder_set_max_age': (c_uint32, (c_void_p, c_uint64), ('builder', 'seconds')),
    'tessera_verifier_builder_set_require_exp': (c_uint32, (c_void_p, c_bool), ('builder', 'required')),
    'tessera_verifier_builder_accept_any_audience': (c_uint32, (c_void_p,), ('builder',)),
    'tessera_verifier_builder_set_max_token_len': (c_uint32, (c_void_p, c_size_t), ('builder', 'max')),
    'tessera_verifier_builder_set_max_header_len': (c_uint32, (c_void_p, c_size_t), ('builder', 'max')),
    'tessera_verifier_builder_set_max_claims': (c_uint32, (c_void_p, c_size_t), ('builder', 'max')),
    'tessera_verifier_builder_free': (None, (c_void_p,), ('builder',)),
    'tessera_verifier_new_with_key': (c_uint32, (c_void_p, c_void_p, POINTER(c_void_p)), ('builder', 'key', 'out')),
    'tessera_verifier_new_with_keyset': (c_uint32, (c_void_p, c_void_p, POINTER(c_void_p)), ('builder', 'set', 'out')),
    'tessera_verifier_free': (None, (c_void_p,), ('verifier',)),
    'tessera_verify': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('verifier', 'token', 'token_len', 'now', 'claims_out', 'cap', 'out_len')),
    'tessera_verify_result': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64), ('verifier', 'token', 'token_len', 'now')),
    'tessera_verify_explain': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('verifier', 'token', 'token_len', 'now', 'detail_out', 'cap', 'out_len')),
    'tessera_verify_batch': (c_uint32, (c_void_p, POINTER(c_char_p), POINTER(c_size_t), c_size_t, c_int64, c_size_t, POINTER(c_uint32)), ('verifier', 'tokens', 'lens', 'count', 'now', 'threads', 'results')),
    'tessera_verify_jws': (c_uint32, (c_void_p, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('verifier', 'token', 'token_len', 'payload_out', 'cap', 'out_len')),
    'tessera_verify_full': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64, POINTER(c_void_p)), ('verifier', 'token', 'token_len', 'now', 'out')),
    'tessera_verified_claims': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_header': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_claim': (c_uint32, (c_void_p, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'name', 'out', 'cap', 'out_len')),
    'tessera_verified_iss': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_sub': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_jti': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_aud': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'out', 'cap', 'out_len')),
    'tessera_verified_exp': (c_uint32, (c_void_p, POINTER(c_int64)), ('verified', 'out')),
    'tessera_verified_nbf': (c_uint32, (c_void_p, POINTER(c_int64)), ('verified', 'out')),
    'tessera_verified_iat': (c_uint32, (c_void_p, POINTER(c_int64)), ('verified', 'out')),
    'tessera_verified_free': (None, (c_void_p,), ('verified',)),
    'tessera_scope_policy_from_json': (c_uint32, (c_char_p, c_size_t, POINTER(c_void_p)), ('json', 'json_len', 'out')),
    'tessera_scope_policy_free': (None, (c_void_p,), ('policy',)),
    'tessera_scopes_parse': (c_uint32, (c_char_p, c_size_t, POINTER(c_void_p)), ('scope', 'scope_len', 'out')),
    'tessera_scopes_from_claims': (c_uint32, (c_char_p, c_size_t, POINTER(c_void_p)), ('claims_json', 'claims_len', 'out')),
    'tessera_scopes_to_string': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('scopes', 'out', 'cap', 'out_len')),
    'tessera_scopes_len': (c_uint32, (c_void_p, POINTER(c_size_t)), ('scopes', 'out')),
    'tessera_scopes_contains': (c_uint32, (c_void_p, c_char_p, POINTER(c_bool)), ('scopes', 'scope', 'out')),
    'tessera_scopes_covers': (c_uint32, (c_void_p, c_void_p, c_void_p, POINTER(c_bool)), ('granted', 'requested', 'policy', 'out')),
    'tessera_scopes_check': (c_uint32, (c_void_p, c_void_p, c_void_p), ('granted', 'requested', 'policy')),
    'tessera_scopes_narrow': (c_uint32, (c_void_p, c_void_p, c_void_p, POINTER(c_void_p)), ('granted', 'requested', 'policy', 'out')),
    'tessera_scopes_reduce': (c_uint32, (c_void_p, c_void_p, POINTER(c_void_p)), ('scopes', 'policy', 'out')),
    'tessera_scopes_free': (None, (c_void_p,), ('scopes',)),
    'tessera_token_generate': (c_uint32, (c_char_p, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('prefix', 'kind', 'out', 'cap', 'out_len')),
    'tessera_token_check': (c_uint32, (c_char_p, c_char_p, c_size_t, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('prefix', 'token', 'token_len', 'expected_kind', 'out_kind', 'cap', 'out_len')),
    'tessera_peppers_new': (c_uint32, (c_char_p, c_char_p, c_size_t, POINTER(c_void_p)), ('key_id', 'secret', 'secret_len', 'out')),
    'tessera_peppers_add_previous': (c_uint32, (c_void_p, c_char_p, c_char_p, c_size_t), ('peppers', 'key_id', 'secret', 'secret_len')),
    'tessera_peppers_lookup': (c_uint32, (c_void_p, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('peppers', 'token', 'token_len', 'out', 'cap', 'out_len')),
    'tessera_peppers_verify': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t), ('peppers', 'token', 'token_len', 'stored', 'stored_len')),
    'tessera_peppers_check_and_lookup': (c_uint32, (c_void_p, c_char_p, c_char_p, c_size_t, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('peppers', 'prefix', 'token', 'token_len', 'expected_kind', 'out', 'cap', 'out_len')),
    'tessera_peppers_free': (None, (c_void_p,), ('peppers',)),
    'tessera_pkce_verifier_new': (c_uint32, (c_void_p, c_size_t, POINTER(c_size_t)), ('out', 'cap', 'out_len')),
    'tessera_pkce_challenge': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('verifier', 'verifier_len', 'out', 'cap', 'out_len')),
    'tessera_pkce_verify': (c_uint32, (c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_bool), ('verifier', 'verifier_len', 'challenge', 'challenge_len', 'method', 'allow_plain')),
    'tessera_form_parse': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('body', 'body_len', 'out', 'cap', 'out_len')),
    'tessera_authorize_request_parse': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('query', 'query_len', 'out', 'cap', 'out_len')),
    'tessera_token_request_parse': (c_uint32, (c_char_p, c_size_t, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('body', 'body_len', 'authorization_header', 'out', 'cap', 'out_len')),
    'tessera_revocation_request_parse': (c_uint32, (c_char_p, c_size_t, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('body', 'body_len', 'authorization_header', 'out', 'cap', 'out_len')),
    'tessera_introspection_request_parse': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('body', 'body_len', 'out', 'cap', 'out_len')),
    'tessera_bearer_token': (c_uint32, (c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('authorization_header', 'out', 'cap', 'out_len')),
    'tessera_access_token': (c_uint32, (c_char_p, POINTER(c_bool), c_void_p, c_size_t, POINTER(c_size_t)), ('authorization_header', 'dpop', 'out', 'cap', 'out_len')),
    'tessera_dpop_challenge': (c_uint32, (c_char_p, c_char_p, c_bool, c_void_p, c_size_t, POINTER(c_size_t)), ('realm', 'algs', 'bearer', 'out', 'cap', 'out_len')),
    'tessera_bearer_challenge': (c_uint32, (c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('realm', 'out', 'cap', 'out_len')),
    'tessera_error_response': (c_uint32, (c_uint32, c_char_p, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('code', 'description', 'realm', 'out', 'cap', 'out_len')),
    'tessera_resource_error_response': (c_uint32, (c_uint32, c_char_p, c_char_p, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('code', 'description', 'realm', 'required_scope', 'out', 'cap', 'out_len')),
    'tessera_resource_error_response_dpop': (c_uint32, (c_uint32, c_char_p, c_char_p, c_char_p, c_char_p, c_bool, c_void_p, c_size_t, POINTER(c_size_t)), ('code', 'description', 'realm', 'required_scope', 'dpop_algs', 'bearer', 'out', 'cap', 'out_len')),
    'tessera_redirect_uri': (c_uint32, (c_char_p, c_char_p, c_size_t, c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('base', 'params_json', 'params_len', 'mode', 'out', 'cap', 'out_len')),
    'tessera_redirect_uri_matches': (c_uint32, (c_char_p, c_char_p, POINTER(c_bool)), ('registered', 'presented', 'out')),
    'tessera_server_metadata': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('json', 'json_len', 'out', 'cap', 'out_len')),
    'tessera_server_metadata_url': (c_uint32, (c_char_p, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'out', 'cap', 'out_len')),
    'tessera_issuer_new': (c_uint32, (c_char_p, c_size_t, c_void_p, c_void_p, POINTER(c_void_p)), ('policy_json', 'policy_len', 'signing_key', 'peppers', 'out')),
    'tessera_issuer_free': (None, (c_void_p,), ('issuer',)),
    'tessera_client_secret_hash': (c_uint32, (c_void_p, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('peppers', 'secret', 'secret_len', 'out', 'cap', 'out_len')),
    'tessera_issuer_check_authorize': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'request_json', 'request_len', 'out', 'cap', 'out_len')),
    'tessera_issuer_authorize': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'request_json', 'request_len', 'subject', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_deny': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'request_json', 'request_len', 'out', 'cap', 'out_len')),
    'tessera_issuer_token': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'client_auth_json', 'client_auth_len', 'state_json', 'state_len', 'request_json', 'request_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_token_bound': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'client_auth_json', 'client_auth_len', 'state_json', 'state_len', 'request_json', 'request_len', 'cnf_json', 'cnf_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_locate': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'token', 'token_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_revoke': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'client_json', 'client_len', 'client_auth_json', 'client_auth_len', 'state_json', 'state_len', 'token', 'token_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_revoke_family': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'state_json', 'state_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_introspect': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'state_json', 'state_len', 'token', 'token_len', 'now', 'out', 'cap', 'out_len')),
    'tessera_issuer_engine_token': (c_uint32, (c_void_p, c_char_p, c_char_p, c_char_p, c_char_p, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'parent_scope', 'requested_scope', 'subject', 'audience', 'now', 'out', 'cap', 'out_len')),
    'tessera_dpop_proof_create': (c_uint32, (c_void_p, c_char_p, c_char_p, c_int64, c_char_p, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('key', 'htm', 'htu', 'now', 'nonce', 'access_token', 'access_token_len', 'out', 'cap', 'out_len')),
    'tessera_dpop_ath': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('access_token', 'access_token_len', 'out', 'cap', 'out_len')),
    'tessera_dpop_nonce_issuer_new': (c_uint32, (c_char_p, c_size_t, c_uint64, POINTER(c_void_p)), ('secret', 'secret_len', 'step_seconds', 'out')),
    'tessera_dpop_nonce_issuer_nonce': (c_uint32, (c_void_p, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('issuer', 'now', 'out', 'cap', 'out_len')),
    'tessera_dpop_nonce_issuer_check': (c_uint32, (c_void_p, c_char_p, c_size_t, c_int64), ('issuer', 'nonce', 'nonce_len', 'now')),
    'tessera_dpop_nonce_issuer_free': (None, (c_void_p,), ('issuer',)),
    'tessera_dpop_validator_new': (c_uint32, (c_char_p, c_size_t, c_void_p, POINTER(c_void_p)), ('config_json', 'config_len', 'nonce_issuer', 'out')),
    'tessera_dpop_validator_nonce': (c_uint32, (c_void_p, c_int64, c_void_p, c_size_t, POINTER(c_size_t)), ('validator', 'now', 'out', 'cap', 'out_len')),
    'tessera_dpop_validator_algorithms': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('validator', 'out', 'cap', 'out_len')),
    'tessera_dpop_validate': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_char_p, c_char_p, c_size_t, c_int64, POINTER(c_void_p)), ('validator', 'proof', 'proof_len', 'htm', 'htu', 'access_token', 'access_token_len', 'now', 'out')),
    'tessera_dpop_validator_free': (None, (c_void_p,), ('validator',)),
    'tessera_dpop_proof_json': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('proof', 'out', 'cap', 'out_len')),
    'tessera_dpop_proof_jkt': (c_uint32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t)), ('proof', 'out', 'cap', 'out_len')),
    'tessera_dpop_proof_free': (None, (c_void_p,), ('proof',)),
    'tessera_replay_cache_new': (c_uint32, (c_size_t, POINTER(c_void_p)), ('capacity', 'out')),
    'tessera_replay_cache_check_and_record': (c_uint32, (c_void_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int64, c_int64), ('cache', 'scope', 'scope_len', 'value', 'value_len', 'until', 'now')),
    'tessera_replay_cache_check_proof': (c_uint32, (c_void_p, c_void_p, c_int64), ('cache', 'proof', 'now')),
    'tessera_replay_cache_stats': (c_uint32, (c_void_p, POINTER(c_size_t), POINTER(c_size_t), POINTER(c_uint64)), ('cache', 'len', 'capacity', 'evicted_live')),
    'tessera_replay_cache_free': (None, (c_void_p,), ('cache',)),
    'tessera_dpop_check_binding': (c_uint32, (c_char_p, c_size_t, c_void_p, c_char_p, c_size_t, c_bool, c_void_p, c_size_t, POINTER(c_size_t)), ('claims_json', 'claims_len', 'proof', 'client_cert_der', 'cert_len', 'require_bound', 'out', 'cap', 'out_len')),
    'tessera_verified_check_binding': (c_uint32, (c_void_p, c_void_p, c_char_p, c_size_t, c_bool, c_void_p, c_size_t, POINTER(c_size_t)), ('verified', 'proof', 'client_cert_der', 'cert_len', 'require_bound', 'out', 'cap', 'out_len')),
    'tessera_certificate_thumbprint': (c_uint32, (c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t)), ('der', 'der_len', 'out', 'cap', 'out_len')),
}


# One exception class per error code, in its family (see tools/gen_decls.py FAMILIES).


class InvalidArgumentError(ArgumentError):
    """An argument is out of its documented range or malformed (not attacker input: a caller bug) (code 1)."""

    code = 1


class BufferTooSmallError(ArgumentError):
    """The caller's output buffer is too small; the needed size was reported (C ABI) (code 2)."""

    code = 2


class PanicError(TesseraError):
    """A panic was caught at the C ABI boundary. Always a tessera bug; please report it (code 3)."""

    code = 3


class NullPointerError(ArgumentError):
    """A required pointer argument was NULL (C ABI) (code 4)."""

    code = 4


class InvalidUtf8Error(ArgumentError):
    """Text that must be UTF-8 was not (C ABI, wire formats) (code 5)."""

    code = 5


class RandomFailureError(TesseraError):
    """The system random number generator failed (code 6)."""

    code = 6


class UnsupportedError(TesseraError):
    """The operation is not supported by this build or by `ring` (e.g. RSA key generation) (code 7)."""

    code = 7


class WrongHandleError(ArgumentError):
    """A handle of the wrong kind was passed (C ABI) (code 8)."""

    code = 8


class MalformedTokenError(DecodeError):
    """The token is not a JWS compact serialization: wrong number of parts or an empty part (code 100)."""

    code = 100


class InvalidBase64Error(DecodeError):
    """A part is not strict base64url (padding, stray characters or non-zero trailing bits) (code 101)."""

    code = 101


class InvalidJsonError(DecodeError):
    """A JSON text is malformed, or is not an object where an object is required (code 102)."""

    code = 102


class DuplicateMemberError(DecodeError):
    """A JSON object has the same member name twice (RFC 7515 §5.2, RFC 7519 §4) (code 103)."""

    code = 103


class TooLargeError(DecodeError):
    """An input exceeds a size limit (checked before any decoding) (code 104)."""

    code = 104


class InvalidHeaderError(DecodeError):
    """The JOSE header is invalid: a member of the wrong type, or a missing `alg` (code 105)."""

    code = 105


class UnsupportedCriticalError(DecodeError):
    """The header lists a critical extension (`crit`) the caller did not declare understood (code 106)."""

    code = 106


class TooDeepError(DecodeError):
    """JSON nesting is deeper than the limit (code 107)."""

    code = 107


class UnsupportedKeyError(InvalidKeyError):
    """The key type or curve is not supported (e.g. P-521, Ed448, X25519, encrypted PEM) (code 201)."""

    code = 201


class WeakKeyError(InvalidKeyError):
    """The key is too weak: a short HMAC secret, an RSA modulus under 2048 bits, a bad exponent, or a modulus with the ROCA fingerprint (code 202)."""

    code = 202


class KeyAlgorithmMismatchError(InvalidKeyError):
    """The key cannot be used with the requested algorithm, or no algorithm could be bound to it (code 203)."""

    code = 203


class KeyUsageError(InvalidKeyError):
    """The key's `use` or `key_ops` forbid this operation (code 204)."""

    code = 204


class KeyNotFoundError(InvalidKeyError, InvalidTokenError):
    """No key in the key set matches the token's `kid` and algorithm (code 205)."""

    code = 205


class AmbiguousKeySetError(InvalidKeyError):
    """The key set is ambiguous: duplicate `kid`, or symmetric and asymmetric keys mixed (code 206)."""

    code = 206


class NotPrivateKeyError(InvalidKeyError):
    """The operation needs a private key and was given a public one (code 207)."""

    code = 207


class NoPublicKeyError(InvalidKeyError):
    """HMAC keys have no public form (they cannot appear in a JWKS or a public JWK) (code 208)."""

    code = 208


class UnsupportedAlgorithmError(BadSignatureError):
    """The algorithm is unknown, `none`, or not available in `ring` (ES512, ES256K, Ed448) (code 300)."""

    code = 300


class AlgorithmMismatchError(BadSignatureError):
    """The header's `alg` is not the algorithm the key is bound to (code 301)."""

    code = 301


class InvalidSignatureError(BadSignatureError):
    """The signature or MAC does not verify. Deliberately says nothing more (code 302)."""

    code = 302


class IssuedInFutureError(NotYetValidError):
    """`iat` lies in the future (beyond the leeway) (code 402)."""

    code = 402


class TooOldError(ExpiredError):
    """The token is older than the policy's maximum age (`iat` + max age) (code 403)."""

    code = 403


class MissingClaimError(ClaimMismatchError):
    """A required claim (or one implied by an expected value) is absent (code 404)."""

    code = 404


class InvalidClaimTypeError(ClaimMismatchError):
    """A claim has the wrong JSON type (e.g. `exp` as a string, `aud` as a number) (code 405)."""

    code = 405


class IssuerMismatchError(ClaimMismatchError):
    """`iss` is not an accepted issuer (code 406)."""

    code = 406


class AudienceMismatchError(ClaimMismatchError):
    """No `aud` value is an accepted audience (code 407)."""

    code = 407


class SubjectMismatchError(ClaimMismatchError):
    """`sub` is not the expected subject (code 408)."""

    code = 408


class TypeMismatchError(ClaimMismatchError):
    """The header `typ` is not the expected type (e.g. `at+jwt`) (code 409)."""

    code = 409


class InvalidScopeError(ScopeError):
    """A scope string breaks the RFC 6749 §3.3 grammar (code 500)."""

    code = 500


class ScopeNotGrantedError(ScopeError):
    """A requested scope is not covered by the granted scopes (code 501)."""

    code = 501


class MalformedOpaqueTokenError(OpaqueTokenError):
    """An opaque token does not have the expected shape (prefix, kind, length, alphabet) (code 600)."""

    code = 600


class TokenChecksumError(OpaqueTokenError):
    """An opaque token's checksum does not match (mistyped or truncated) (code 601)."""

    code = 601


class WrongTokenKindError(OpaqueTokenError):
    """An opaque token is of another kind than the one expected (e.g. a refresh token as a code) (code 602)."""

    code = 602


class TokenMismatchError(OpaqueTokenError):
    """A stored lookup hash does not match the token (code 603)."""

    code = 603


class InvalidPkceError(PkceError):
    """A PKCE code verifier or challenge breaks RFC 7636 §4.1/§4.2 (code 604)."""

    code = 604


class PkceMismatchError(PkceError):
    """The PKCE verifier does not match the challenge (code 605)."""

    code = 605


class OAuthInvalidRequestError(OAuthError):
    """RFC 6749 `invalid_request` (code 700)."""

    code = 700


class OAuthInvalidClientError(OAuthError):
    """RFC 6749 `invalid_client` (code 701)."""

    code = 701


class OAuthInvalidGrantError(OAuthError):
    """RFC 6749 `invalid_grant` (code 702)."""

    code = 702


class OAuthUnauthorizedClientError(OAuthError):
    """RFC 6749 `unauthorized_client` (code 703)."""

    code = 703


class OAuthUnsupportedGrantTypeError(OAuthError):
    """RFC 6749 `unsupported_grant_type` (code 704)."""

    code = 704


class OAuthInvalidScopeError(OAuthError):
    """RFC 6749 `invalid_scope` (code 705)."""

    code = 705


class OAuthAccessDeniedError(OAuthError):
    """RFC 6749 `access_denied` (code 706)."""

    code = 706


class OAuthUnsupportedResponseTypeError(OAuthError):
    """RFC 6749 `unsupported_response_type` (code 707)."""

    code = 707


class OAuthServerErrorError(OAuthError):
    """RFC 6749 `server_error` (code 708)."""

    code = 708


class OAuthTemporarilyUnavailableError(OAuthError):
    """RFC 6749 `temporarily_unavailable` (code 709)."""

    code = 709


class OAuthInvalidTokenError(OAuthError):
    """RFC 6750 §3.1 `invalid_token` (code 710)."""

    code = 710


class OAuthInsufficientScopeError(OAuthError):
    """RFC 6750 §3.1 `insufficient_scope` (code 711)."""

    code = 711


class OAuthInvalidDpopProofError(OAuthError, InvalidDpopProofError):
    """RFC 9449 §12.2 `invalid_dpop_proof` (code 712)."""

    code = 712


class OAuthUseDpopNonceError(OAuthError, UseDpopNonceError):
    """RFC 9449 §12.2 `use_dpop_nonce`: retry with the nonce in the `DPoP-Nonce` header (code 713)."""

    code = 713


class DpopMalformedError(InvalidDpopProofError):
    """The DPoP proof is not exactly one well-formed JWS (structure, base64url, JSON, header, size), or a request carries more than one `DPoP` header (code 800)."""

    code = 800


class DpopTypeError(InvalidDpopProofError):
    """The DPoP proof's header `typ` is not exactly `dpop+jwt` (RFC 9449 §4.3 rule 4) (code 801)."""

    code = 801


class DpopAlgorithmError(InvalidDpopProofError):
    """The DPoP proof's `alg` is `none`, symmetric, or not in the allowed list (rule 5) (code 802)."""

    code = 802


class DpopKeyError(InvalidDpopProofError):
    """The DPoP proof's `jwk` is missing, malformed, holds private members, or does not fit `alg` (rule 7) (code 803)."""

    code = 803


class DpopSignatureError(InvalidDpopProofError):
    """The DPoP proof's signature does not verify with its `jwk` (rule 6) (code 804)."""

    code = 804


class DpopMethodError(InvalidDpopProofError):
    """The DPoP proof's `htm` is missing or is not the request method (rule 8) (code 805)."""

    code = 805


class DpopUriError(InvalidDpopProofError):
    """The DPoP proof's `htu` is missing, malformed, or is not the request URI (rule 9) (code 806)."""

    code = 806


class DpopIatError(InvalidDpopProofError):
    """The DPoP proof's `iat` is missing or outside the accepted window (rule 11) (code 807)."""

    code = 807


class DpopJtiError(InvalidDpopProofError):
    """The DPoP proof's `jti` is missing, empty or too long (rule 3/§4.2) (code 808)."""

    code = 808


class DpopNonceRequiredError(UseDpopNonceError):
    """The server requires a DPoP nonce and the proof has none (rule 10; `use_dpop_nonce`) (code 809)."""

    code = 809


class DpopNonceInvalidError(UseDpopNonceError):
    """The DPoP proof's nonce is not one the server issued recently (`use_dpop_nonce`) (code 810)."""

    code = 810


class DpopAthError(InvalidDpopProofError):
    """The DPoP proof's `ath` is missing or is not the hash of the access token (rule 12) (code 811)."""

    code = 811


class DpopReplayError(InvalidDpopProofError):
    """The DPoP proof's `jti` was seen before inside the window (RFC 9449 §11.1) (code 812)."""

    code = 812


class DpopKeyMismatchError(InvalidDpopProofError):
    """The DPoP proof's key is not the key the token, code or refresh token is bound to (code 813)."""

    code = 813


class DpopProofRequiredError(InvalidDpopProofError):
    """A DPoP proof is required and none was presented (a DPoP-bound token, or a client that registered `dpop_bound_access_tokens`) (code 814)."""

    code = 814


class DpopBoundTokenError(TokenBindingError):
    """A DPoP-bound access token was presented with the `Bearer` scheme (RFC 9449 §7.2) (code 815)."""

    code = 815


class UnboundTokenError(TokenBindingError):
    """Policy requires a sender-constrained token and the token has no `cnf` claim (code 816)."""

    code = 816


class CertificateMismatchError(TokenBindingError):
    """The certificate-bound token's `x5t#S256` does not match the client certificate, or no certificate was presented (RFC 8705 §3) (code 817)."""

    code = 817


# The families that are the class of one code carry that code (see FAMILIES).
InvalidKeyError.code = 200
ExpiredError.code = 400
NotYetValidError.code = 401

#: code -> exception class.
ERROR_CLASSES: Dict[int, Type[TesseraError]] = {
    1: InvalidArgumentError,
    2: BufferTooSmallError,
    3: PanicError,
    4: NullPointerError,
    5: InvalidUtf8Error,
    6: RandomFailureError,
    7: UnsupportedError,
    8: WrongHandleError,
    100: MalformedTokenError,
    101: InvalidBase64Error,
    102: InvalidJsonError,
    103: DuplicateMemberError,
    104: TooLargeError,
    105: InvalidHeaderError,
    106: UnsupportedCriticalError,
    107: TooDeepError,
    200: InvalidKeyError,
    201: UnsupportedKeyError,
    202: WeakKeyError,
    203: KeyAlgorithmMismatchError,
    204: KeyUsageError,
    205: KeyNotFoundError,
    206: AmbiguousKeySetError,
    207: NotPrivateKeyError,
    208: NoPublicKeyError,
    300: UnsupportedAlgorithmError,
    301: AlgorithmMismatchError,
    302: InvalidSignatureError,
    400: ExpiredError,
    401: NotYetValidError,
    402: IssuedInFutureError,
    403: TooOldError,
    404: MissingClaimError,
    405: InvalidClaimTypeError,
    406: IssuerMismatchError,
    407: AudienceMismatchError,
    408: SubjectMismatchError,
    409: TypeMismatchError,
    500: InvalidScopeError,
    501: ScopeNotGrantedError,
    600: MalformedOpaqueTokenError,
    601: TokenChecksumError,
    602: WrongTokenKindError,
    603: TokenMismatchError,
    604: InvalidPkceError,
    605: PkceMismatchError,
    700: OAuthInvalidRequestError,
    701: OAuthInvalidClientError,
    702: OAuthInvalidGrantError,
    703: OAuthUnauthorizedClientError,
    704: OAuthUnsupportedGrantTypeError,
    705: OAuthInvalidScopeError,
    706: OAuthAccessDeniedError,
    707: OAuthUnsupportedResponseTypeError,
    708: OAuthServerErrorError,
    709: OAuthTemporarilyUnavailableError,
    710: OAuthInvalidTokenError,
    711: OAuthInsufficientScopeError,
    712: OAuthInvalidDpopProofError,
    713: OAuthUseDpopNonceError,
    800: DpopMalformedError,
    801: DpopTypeError,
    802: DpopAlgorithmError,
    803: DpopKeyError,
    804: DpopSignatureError,
    805: DpopMethodError,
    806: DpopUriError,
    807: DpopIatError,
    808: DpopJtiError,
    809: DpopNonceRequiredError,
    810: DpopNonceInvalidError,
    811: DpopAthError,
    812: DpopReplayError,
    813: DpopKeyMismatchError,
    814: DpopProofRequiredError,
    815: DpopBoundTokenError,
    816: UnboundTokenError,
    817: CertificateMismatchError,
}

#: What `from tessera._decls import *` brings into `tessera`: the result codes and the
#: per-code exception classes.
__all__ = [
    "MAX_DETAIL_LEN",
    "RESULT_OK",
    'RESULT_INVALID_ARGUMENT',
    'RESULT_BUFFER_TOO_SMALL',
    'RESULT_PANIC',
    'RESULT_NULL_POINTER',
    'RESULT_INVALID_UTF8',
    'RESULT_RANDOM_FAILURE',
    'RESULT_UNSUPPORTED',
    'RESULT_WRONG_HANDLE',
    'RESULT_MALFORMED_TOKEN',
    'RESULT_INVALID_BASE64',
    'RESULT_INVALID_JSON',
    'RESULT_DUPLICATE_MEMBER',
    'RESULT_TOO_LARGE',
    'RESULT_INVALID_HEADER',
    'RESULT_UNSUPPORTED_CRITICAL',
    'RESULT_TOO_DEEP',
    'RESULT_INVALID_KEY',
    'RESULT_UNSUPPORTED_KEY',
    'RESULT_WEAK_KEY',
    'RESULT_KEY_ALGORITHM_MISMATCH',
    'RESULT_KEY_USAGE',
    'RESULT_KEY_NOT_FOUND',
    'RESULT_AMBIGUOUS_KEY_SET',
    'RESULT_NOT_PRIVATE_KEY',
    'RESULT_NO_PUBLIC_KEY',
    'RESULT_UNSUPPORTED_ALGORITHM',
    'RESULT_ALGORITHM_MISMATCH',
    'RESULT_INVALID_SIGNATURE',
    'RESULT_EXPIRED',
    'RESULT_NOT_YET_VALID',
    'RESULT_ISSUED_IN_FUTURE',
    'RESULT_TOO_OLD',
    'RESULT_MISSING_CLAIM',
    'RESULT_INVALID_CLAIM_TYPE',
    'RESULT_ISSUER_MISMATCH',
    'RESULT_AUDIENCE_MISMATCH',
    'RESULT_SUBJECT_MISMATCH',
    'RESULT_TYPE_MISMATCH',
    'RESULT_INVALID_SCOPE',
    'RESULT_SCOPE_NOT_GRANTED',
    'RESULT_MALFORMED_OPAQUE_TOKEN',
    'RESULT_TOKEN_CHECKSUM',
    'RESULT_WRONG_TOKEN_KIND',
    'RESULT_TOKEN_MISMATCH',
    'RESULT_INVALID_PKCE',
    'RESULT_PKCE_MISMATCH',
    'RESULT_OAUTH_INVALID_REQUEST',
    'RESULT_OAUTH_INVALID_CLIENT',
    'RESULT_OAUTH_INVALID_GRANT',
    'RESULT_OAUTH_UNAUTHORIZED_CLIENT',
    'RESULT_OAUTH_UNSUPPORTED_GRANT_TYPE',
    'RESULT_OAUTH_INVALID_SCOPE',
    'RESULT_OAUTH_ACCESS_DENIED',
    'RESULT_OAUTH_UNSUPPORTED_RESPONSE_TYPE',
    'RESULT_OAUTH_SERVER_ERROR',
    'RESULT_OAUTH_TEMPORARILY_UNAVAILABLE',
    'RESULT_OAUTH_INVALID_TOKEN',
    'RESULT_OAUTH_INSUFFICIENT_SCOPE',
    'RESULT_OAUTH_INVALID_DPOP_PROOF',
    'RESULT_OAUTH_USE_DPOP_NONCE',
    'RESULT_DPOP_MALFORMED',
    'RESULT_DPOP_TYPE',
    'RESULT_DPOP_ALGORITHM',
    'RESULT_DPOP_KEY',
    'RESULT_DPOP_SIGNATURE',
    'RESULT_DPOP_METHOD',
    'RESULT_DPOP_URI',
    'RESULT_DPOP_IAT',
    'RESULT_DPOP_JTI',
    'RESULT_DPOP_NONCE_REQUIRED',
    'RESULT_DPOP_NONCE_INVALID',
    'RESULT_DPOP_ATH',
    'RESULT_DPOP_REPLAY',
    'RESULT_DPOP_KEY_MISMATCH',
    'RESULT_DPOP_PROOF_REQUIRED',
    'RESULT_DPOP_BOUND_TOKEN',
    'RESULT_UNBOUND_TOKEN',
    'RESULT_CERTIFICATE_MISMATCH',
    'InvalidArgumentError',
    'BufferTooSmallError',
    'PanicError',
    'NullPointerError',
    'InvalidUtf8Error',
    'RandomFailureError',
    'UnsupportedError',
    'WrongHandleError',
    'MalformedTokenError',
    'InvalidBase64Error',
    'InvalidJsonError',
    'DuplicateMemberError',
    'TooLargeError',
    'InvalidHeaderError',
    'UnsupportedCriticalError',
    'TooDeepError',
    'UnsupportedKeyError',
    'WeakKeyError',
    'KeyAlgorithmMismatchError',
    'KeyUsageError',
    'KeyNotFoundError',
    'AmbiguousKeySetError',
    'NotPrivateKeyError',
    'NoPublicKeyError',
    'UnsupportedAlgorithmError',
    'AlgorithmMismatchError',
    'InvalidSignatureError',
    'IssuedInFutureError',
    'TooOldError',
    'MissingClaimError',
    'InvalidClaimTypeError',
    'IssuerMismatchError',
    'AudienceMismatchError',
    'SubjectMismatchError',
    'TypeMismatchError',
    'InvalidScopeError',
    'ScopeNotGrantedError',
    'MalformedOpaqueTokenError',
    'TokenChecksumError',
    'WrongTokenKindError',
    'TokenMismatchError',
    'InvalidPkceError',
    'PkceMismatchError',
    'OAuthInvalidRequestError',
    'OAuthInvalidClientError',
    'OAuthInvalidGrantError',
    'OAuthUnauthorizedClientError',
    'OAuthUnsupportedGrantTypeError',
    'OAuthInvalidScopeError',
    'OAuthAccessDeniedError',
    'OAuthUnsupportedResponseTypeError',
    'OAuthServerErrorError',
    'OAuthTemporarilyUnavailableError',
    'OAuthInvalidTokenError',
    'OAuthInsufficientScopeError',
    'OAuthInvalidDpopProofError',
    'OAuthUseDpopNonceError',
    'DpopMalformedError',
    'DpopTypeError',
    'DpopAlgorithmError',
    'DpopKeyError',
    'DpopSignatureError',
    'DpopMethodError',
    'DpopUriError',
    'DpopIatError',
    'DpopJtiError',
    'DpopNonceRequiredError',
    'DpopNonceInvalidError',
    'DpopAthError',
    'DpopReplayError',
    'DpopKeyMismatchError',
    'DpopProofRequiredError',
    'DpopBoundTokenError',
    'UnboundTokenError',
    'CertificateMismatchError',
]
