"""`tessera.dpop`: sender-constrained tokens — DPoP proofs (RFC 9449) and certificate binding
(RFC 8705 §3). See the documentation of ``tessera._dpop`` (`create_proof`, `ProofValidator`,
`NonceIssuer`, `ReplayCache`, `check_binding`) and the exception families
`InvalidDpopProofError`, `UseDpopNonceError` and `TokenBindingError` (also in `tessera`)."""

from __future__ import annotations

from ._dpop import (
    Authorized,
    NonceIssuer,
    Proof,
    ProofValidator,
    ReplayCache,
    ResourceVerifier,
    ath,
    certificate_thumbprint,
    check_binding,
    create_proof,
)
from ._dpop import __doc__ as _impl_doc
from ._exceptions import InvalidDpopProofError, TokenBindingError, UseDpopNonceError

__doc__ = _impl_doc

__all__ = [
    "create_proof",
    "ath",
    "certificate_thumbprint",
    "check_binding",
    "NonceIssuer",
    "ProofValidator",
    "Proof",
    "ReplayCache",
    "ResourceVerifier",
    "Authorized",
    "InvalidDpopProofError",
    "UseDpopNonceError",
    "TokenBindingError",
]
