#!/usr/bin/env bash
# Installs everything trex needs to build and test on Debian 12 (bookworm).
#
# Idempotent: when every package is already installed it touches nothing (so it also works offline);
# otherwise it refreshes the package lists and installs what is missing. Set TREX_FORCE_APT=1 to always
# run `apt-get update` + `apt-get install`. Uses sudo only when not already root.
set -euo pipefail

# ---- the toolchain ----
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config g++
)

# ---- the sanitizer build (scripts/sanitize.sh: ASan + UBSan + LSan, run by scripts/test.sh) ----
PACKAGES+=(
  clang-14            # the sanitizer build's compiler (libFuzzer coverage too, for the fuzz targets)
  libclang-rt-14-dev  # the sanitizer runtimes (libclang_rt.asan, .ubsan, libFuzzer)
  llvm-14             # llvm-symbolizer: function names and file:line in sanitizer reports
)

# ---- libraries of the Rego engine, the CLI and the compliance runner ----
PACKAGES+=(
  rapidjson-dev    # JSON reader/writer (SAX straight into rego::Value)
  libre2-dev       # regex.* built-ins (RE2 syntax, as Go's regexp)
  libboost-dev     # Boost.Multiprecision (big numbers), Beast/Asio (server, http.send); header-only
  libyaml-cpp-dev  # YAML data files and the OPA compliance cases
  libssl-dev       # crypto.*, io.jwt.* built-ins; TLS for http.send
  libvalijson-dev  # json.verify_schema / json.match_schema (header-only JSON Schema validator)
  zlib1g-dev       # gzip request/response bodies in the server (and compressed bundles)
  libarchive-dev   # OPA bundles: reading .tar.gz archives (src/load/archive.cpp; tests write them too)
  libjemalloc-dev  # the programs' allocator (CMake option TREX_JEMALLOC)
)

# ---- tests and benchmarks ----
PACKAGES+=(
  libgtest-dev libgmock-dev libbenchmark-dev
  json-schema-test-suite  # the official JSON-Schema-Test-Suite (tests/rego/jsonschema_test.cpp)
  python3          # the server integration tests (tests/server/*.py) use only its standard library
  bc               # the bench scripts do small arithmetic with it
  nginx-light      # a real bundle server on loopback for the bundle plugin (tests/server/test_bundle_download.py)
)

# ---- benchmarks ----
PACKAGES+=(
  wrk   # HTTP load generator of bench/server_load.sh (trex vs bench/noop_server)
  curl  # bench/server_load.sh: readiness probe and the decision check before the load runs
)

# ---- the HSM-signed decision log ----
PACKAGES+=(
  softhsm2         # the PKCS#11 token of the signed decision log: tests, benchmarks and the default demo
  libp11-kit-dev   # pkcs11.h (the types only: the module is loaded with dlopen)
  openssl          # the CLI test checks exported public keys and makes a second key with it
)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
else
  SUDO=(sudo)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for fully installed packages.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ] && [ "${TREX_FORCE_APT:-0}" != "1" ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]:-${PACKAGES[*]}}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
