#!/usr/bin/env bash
# The C and C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer and under valgrind.
#
#   bindings/c/run-sanitizers.sh                       builds the library (cargo build) first
#   TESSERA_BACKEND=aws-lc bindings/c/run-sanitizers.sh  ... with the aws-lc backend (backend.sh)
#   TESSERA_LIB_DIR=DIR bindings/c/run-sanitizers.sh   uses DIR/libtessera.a as it is
#   OUT=DIR ...                                        where the binaries go (default:
#                                                      ${CARGO_TARGET_DIR:-target}/c-sanitizers)
#   TESSERA_SKIP_VALGRIND=1 ...                        the ASan/UBSan runs only (says so)
#
# Needs gcc and g++ with their sanitizer runtimes and valgrind (Debian/Ubuntu:
# `apt-get install gcc g++ valgrind`). The sanitized binaries link the static library; each run
# must print "asan=linked ubsan=linked" (the runtimes are looked up in the running process), so a
# build that silently lost its sanitizers fails. valgrind must report no errors and no definite
# or indirect leaks (Rust's std keeps a few "still reachable" or "possibly lost" blocks for
# threads; those are allowed). Prints "sanitizers: all ok" at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
if [ -z "${TESSERA_LIB_DIR:-}" ]; then
  # shellcheck source=bindings/c/backend.sh
  . "$root/bindings/c/backend.sh"
  cargo build --lib "${backend_features[@]}"
  TESSERA_LIB_DIR=$target/debug
fi
lib=$TESSERA_LIB_DIR/libtessera.a
out=${OUT:-$target/c-sanitizers}
mkdir -p "$out"

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "run-sanitizers.sh: $1 not found; install it (Debian/Ubuntu: apt-get install $2)" >&2
    exit 1
  }
}
need gcc gcc
need g++ g++
[ -f "$lib" ] || { echo "run-sanitizers.sh: $lib is missing (cargo build)" >&2; exit 1; }

# The link line of the static library (`rustc --print native-static-libs` on Linux).
native=(-lgcc_s -lutil -lrt -lpthread -lm -ldl)
san=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
inc=(-I"$root/include" -I"$root/bindings/cpp" -I"$root/bindings/c/tests")
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -pthread)
cxxflags=(-std=c++17 -Wall -Wextra -Wpedantic -Werror -pthread)
srcs=()

# run NAME BINARY: runs a test binary, requires exit 0 and the pass line; keeps the log.
run() {
  local name=$1
  shift
  if ! "$@" >"$out/$name.log" 2>&1; then
    cat "$out/$name.log" >&2
    echo "run-sanitizers.sh: $name FAILED" >&2
    exit 1
  fi
  grep -q '^ALL [0-9]* TESTS PASSED' "$out/$name.log" || {
    cat "$out/$name.log" >&2
    echo "run-sanitizers.sh: $name did not report success" >&2
    exit 1
  }
}

# Every bindings/c/tests/test_*.c and bindings/cpp/tests/test_*.cpp is one test program.
tests=()
build() { # build NAME SOURCE EXTRA_FLAGS...: compiles one test program as C or C++
  local name=$1 src=$2
  shift 2
  case $src in
    *.c) gcc "${cflags[@]}" "$@" "${inc[@]}" -o "$out/$name" "$src" "$lib" "${native[@]}" ;;
    *) g++ "${cxxflags[@]}" "$@" "${inc[@]}" -o "$out/$name" "$src" "$lib" "${native[@]}" ;;
  esac
}
for src in bindings/c/tests/test_*.c bindings/cpp/tests/test_*.cpp; do
  [ -f "$src" ] || continue
  case $src in *.c) tests+=("$(basename "$src" .c)") ;; *) tests+=("$(basename "$src" .cpp)_cpp") ;; esac
  srcs+=("$src")
done

echo "== ASan + UBSan: ${tests[*]}"
for i in "${!tests[@]}"; do
  t=${tests[$i]}_asan
  build "$t" "${srcs[$i]}" "${san[@]}"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run "$t" "$out/$t"
  grep -q 'sanitizers: asan=linked ubsan=linked' "$out/$t.log" || {
    cat "$out/$t.log" >&2
    echo "run-sanitizers.sh: $t runs without the sanitizer runtimes" >&2
    exit 1
  }
  echo "   $t: $(grep '^ALL' "$out/$t.log") [$(grep '^sanitizers:' "$out/$t.log")]"
done

if [ -n "${TESSERA_SKIP_VALGRIND:-}" ]; then
  echo "== valgrind: SKIPPED (TESSERA_SKIP_VALGRIND is set)"
else
  need valgrind valgrind
  echo "== valgrind: ${tests[*]}"
  for i in "${!tests[@]}"; do
    t=${tests[$i]}_vg
    build "$t" "${srcs[$i]}" -g -O0
    run "$t" valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --show-leak-kinds=definite,indirect "$out/$t"
    grep -q 'ERROR SUMMARY: 0 errors' "$out/$t.log" || {
      cat "$out/$t.log" >&2
      echo "run-sanitizers.sh: valgrind reported errors for $t" >&2
      exit 1
    }
    echo "   $t: $(grep '^ALL' "$out/$t.log") [valgrind: $(grep -o 'ERROR SUMMARY: .*' "$out/$t.log")]"
  done
fi
echo "sanitizers: all ok"
