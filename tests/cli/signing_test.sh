#!/usr/bin/env bash
# trex build / trex sign / verification on the real binary: a signed bundle evaluates with the right key and
# is refused with the wrong key or after one byte changes. Usage: signing_test.sh path/to/trex
set -u
TREX="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
failures=0
check() {  # name, expected exit code, expected text in output, command...
  local name="$1" want_rc="$2" want_text="$3"
  shift 3
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [[ "$rc" != "$want_rc" || "$out" != *"$want_text"* ]]; then
    echo "FAIL $name: exit $rc (want $want_rc), output: $out (want: $want_text)"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

openssl genrsa -out rsa.pem 2048 2>/dev/null && openssl rsa -in rsa.pem -pubout -out rsa.pub 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out ec.pem && openssl ec -in ec.pem -pubout -out ec.pub 2>/dev/null
mkdir -p b/app
printf 'package app\n\nallow if input.amount <= 100\n' > b/app/policy.rego
printf '{"limit": 100}' > b/app/data.json
printf '{"revision": "r1", "roots": ["app"]}' > b/.manifest

check "build needs -b to sign" 1 "enable bundle mode (ie. --bundle)" "$TREX" build b --signing-key rsa.pem
check "build RS256" 0 "" "$TREX" build -b b -o rs.tar.gz --signing-key rsa.pem --revision r2
check "eval verifies RS256" 0 "100" "$TREX" eval -b rs.tar.gz --verification-key rsa.pub -f raw data.app.limit
check "manifest revision" 0 '"r2"' "$TREX" eval -b rs.tar.gz --verification-key rsa.pub -f raw 'json.marshal(data.system.bundles[_].manifest.revision)'
check "wrong key refused" 2 "could not verify message using any of the signatures or keys" \
  "$TREX" eval -b rs.tar.gz --verification-key ec.pub -f raw data.app.limit
check "build ES256" 0 "" "$TREX" build -b b -o es.tar.gz --signing-key ec.pem --signing-alg ES256
check "eval verifies ES256" 0 "100" "$TREX" eval -b es.tar.gz --verification-key ec.pub --signing-alg ES256 -f raw data.app.limit
check "build HS256" 0 "" "$TREX" build -b b -o hs.tar.gz --signing-key s3cret --signing-alg HS256
check "eval verifies HS256" 0 "100" "$TREX" eval -b hs.tar.gz --verification-key s3cret --signing-alg HS256 -f raw data.app.limit
check "unsigned bundle refused with a key" 2 "bundle missing .signatures.json file" \
  "$TREX" eval -b b --verification-key rsa.pub -f raw data.app.limit

# One byte changed in the built tarball's policy: repack it with tar and expect a digest mismatch.
mkdir x && tar -xzf rs.tar.gz -C x 2>/dev/null && sed -i 's/<= 100/<= 900/' x/b/app/policy.rego
(cd x && tar -czf ../tampered.tar.gz data.json b .signatures.json .manifest)
check "tampered tarball refused" 2 "b/app/policy.rego: digest mismatch" \
  "$TREX" eval -b tampered.tar.gz --verification-key rsa.pub -f raw data.app.limit
check "run refuses tampered tarball" 1 "digest mismatch" \
  "$TREX" run --server --addr 127.0.0.1:0 -b tampered.tar.gz --verification-key rsa.pub

# trex sign writes .signatures.json into the directory given by -o; the directory bundle then verifies.
check "sign needs --bundle" 2 "enable bundle mode" "$TREX" sign b --signing-key rsa.pem
check "sign directory" 0 "" "$TREX" sign --bundle b --signing-key rsa.pem -o b
check "signed directory verifies" 0 "100" "$TREX" eval -b b --verification-key rsa.pub -f raw data.app.limit
printf 'x' > b/app/extra.txt
check "unlisted file refused" 2 "file b/app/extra.txt not included in bundle signature" \
  "$TREX" eval -b b --verification-key rsa.pub -f raw data.app.limit
check "excluded file ignored" 0 "100" \
  "$TREX" eval -b b --verification-key rsa.pub --exclude-files-verification 'b/app/*.txt' -f raw data.app.limit
rm b/app/data.json
check "listed file missing refused" 2 "file(s) [b/app/data.json] specified in bundle signatures but not found" \
  "$TREX" eval -b b --verification-key rsa.pub --exclude-files-verification 'b/app/*.txt' -f raw data.app.limit

[[ $failures == 0 ]] || { echo "$failures signing check(s) failed"; exit 1; }
echo "all signing checks passed"
