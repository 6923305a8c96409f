# Sourced by install.sh and run-sanitizers.sh: the cargo features that build the library with
# the cryptographic backend named by TESSERA_BACKEND, in the array `backend_features`:
#   ring     the default: HS*, RS*, PS*, ES256, ES384, EdDSA
#   aws-lc   aws-lc-rs: everything ring does, plus ES512, ES256K and RSA key generation
#   aws-lc+ml-dsa   aws-lc with the post-quantum ML-DSA-44/65/87 signatures (the ml-dsa feature)
# The same values as bindings/python/setup.py's TESSERA_BACKEND. A built library says which it
# has: tessera_backend() returns "ring 0.17.14" or "aws-lc-rs 1.19.0".
case ${TESSERA_BACKEND:-ring} in
  ring) backend_features=(--no-default-features --features ring) ;;
  aws-lc) backend_features=(--no-default-features --features aws-lc) ;;
  aws-lc+ml-dsa) backend_features=(--no-default-features --features aws-lc,ml-dsa) ;;
  *)
    echo "$(basename "$0"): TESSERA_BACKEND=$TESSERA_BACKEND is not a backend: use ring (the default), aws-lc or aws-lc+ml-dsa" >&2
    exit 2
    ;;
esac
