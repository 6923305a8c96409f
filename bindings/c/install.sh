#!/usr/bin/env bash
# Installs tessera for C and C++ under a prefix:
#   PREFIX/include/tessera.h            the C header (include/tessera.h)
#   PREFIX/include/tessera.hpp          the header-only C++ wrapper (bindings/cpp/tessera.hpp)
#   PREFIX/lib/libtessera.so            shared library
#   PREFIX/lib/libtessera.a             static library
#   PREFIX/lib/pkgconfig/tessera.pc     from bindings/c/tessera.pc.in
#
# Usage:
#   bindings/c/install.sh PREFIX                 runs `cargo build --release` and installs from
#                                                ${CARGO_TARGET_DIR:-target}/release
#   TESSERA_BACKEND=aws-lc bindings/c/install.sh PREFIX
#                                                the same with the aws-lc backend (ES512, ES256K,
#                                                RSA key generation); ring is the default
#   bindings/c/install.sh PREFIX --lib-dir DIR   installs libtessera.{so,a} already built in DIR
#                                                (with whichever backend they were built with)
# Environment: TESSERA_BACKEND (ring or aws-lc, see backend.sh; only when install.sh builds),
#   DESTDIR (staged installs: files go to DESTDIR/PREFIX, tessera.pc names PREFIX),
#   LIBDIR (library directory name under PREFIX, default lib), TESSERA_NATIVE_STATIC_LIBS (the
#   system libraries a static link needs; default: what rustc reports for x86_64/aarch64 Linux).
# Then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig cc app.c $(pkg-config --cflags --libs tessera)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
usage() {
  echo "usage: $0 PREFIX [--lib-dir DIR]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
prefix=$1
shift
lib_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --lib-dir) [ $# -ge 2 ] || usage; lib_dir=$2; shift 2 ;;
    *) usage ;;
  esac
done
if [ -n "$lib_dir" ] && [ -n "${TESSERA_BACKEND:-}" ]; then
  echo "install.sh: TESSERA_BACKEND chooses the backend of the build install.sh runs; the" \
    "libraries in $lib_dir are built already (tessera_backend() tells which backend they have)" >&2
  exit 2
fi
case $prefix in
  /*) ;;
  *) prefix=$(pwd)/$prefix ;;
esac

if [ -z "$lib_dir" ]; then
  # shellcheck source=bindings/c/backend.sh
  . "$root/bindings/c/backend.sh"
  (cd "$root" && cargo build --release --lib "${backend_features[@]}")
  target=${CARGO_TARGET_DIR:-$root/target}
  case $target in /*) ;; *) target=$root/$target ;; esac
  lib_dir=$target/release
fi
for f in libtessera.so libtessera.a; do
  [ -f "$lib_dir/$f" ] || { echo "install.sh: $lib_dir/$f is missing (run cargo build)" >&2; exit 1; }
done

# `rustc --print native-static-libs` for the staticlib on Linux (glibc).
native=${TESSERA_NATIVE_STATIC_LIBS:--lgcc_s -lutil -lrt -lpthread -lm -ldl -lc}
version=$(sed -n 's/^#define TESSERA_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/tessera.h")
[ -n "$version" ] || { echo "install.sh: no TESSERA_VERSION_STRING in include/tessera.h" >&2; exit 1; }
libdir=$prefix/${LIBDIR:-lib}
includedir=$prefix/include
dest=${DESTDIR:-}

install -d "$dest$includedir" "$dest$libdir/pkgconfig"
install -m 644 "$root/include/tessera.h" "$root/bindings/cpp/tessera.hpp" "$dest$includedir/"
install -m 755 "$lib_dir/libtessera.so" "$dest$libdir/"
install -m 644 "$lib_dir/libtessera.a" "$dest$libdir/"
# The .pc names directories relative to ${prefix}, so `pkg-config --define-prefix` can relocate.
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|\${prefix}/${LIBDIR:-lib}|g" -e "s|@INCLUDEDIR@|\${prefix}/include|g" \
  -e "s|@VERSION@|$version|g" -e "s|@NATIVE_STATIC_LIBS@|$native|g" \
  "$root/bindings/c/tessera.pc.in" >"$dest$libdir/pkgconfig/tessera.pc"
chmod 644 "$dest$libdir/pkgconfig/tessera.pc"
echo "installed tessera $version into $dest$prefix"
