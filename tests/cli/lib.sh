# Assertions shared by the CLI test scripts (source it after setting TMP to a scratch directory).
# Each check counts into $checks; failures print what differed and count into $failures.
failures=0
checks=0
fail() {
  echo "FAIL: $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
  failures=$((failures + 1))
}

# run NAME EXPECTED_EXIT CMD...: runs CMD capturing stdout/stderr into $OUT/$ERR and checks its exit code.
run() {
  local name=$1 want=$2
  shift 2
  checks=$((checks + 1))
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  OUT="$(cat "$TMP/out")"
  ERR="$(cat "$TMP/err")"
  if [ "$got" -ne "$want" ]; then
    fail "$name: exit $got, want $want" "stdout: $OUT
stderr: $ERR"
    return 1
  fi
  return 0
}

expect_eq() {  # NAME WANT GOT
  checks=$((checks + 1))
  [ "$2" == "$3" ] || fail "$1: output differs" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3"))"
}

expect_contains() {  # NAME NEEDLE HAYSTACK
  checks=$((checks + 1))
  case "$3" in
    *"$2"*) ;;
    *) fail "$1: missing '$2'" "$3" ;;
  esac
}
