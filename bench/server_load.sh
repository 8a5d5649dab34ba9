#!/usr/bin/env bash
# Server load benchmark: trex's decision throughput and latency against a no-op HTTP server, in one run.
#
#   bench/server_load.sh [BUILD_DIR]          # BUILD_DIR (or $BUILD_DIR) holds trex and bench/noop_server
#
# Builds nothing: run `ninja -C build trex noop_server` first. Needs wrk (Debian's `wrk`) and curl.
#
# 1. Full speed, in $ROUNDS rounds: each round measures bench/noop_server, which answers {"result":true}
#    without doing anything (the ceiling the HTTP stack allows on this machine), then trex serving
#    bench/load (an RBAC/ABAC policy, ~30 rules, ~12 KB of data; --log-level error), then trex serving
#    bench/load/floor.rego, a policy that decides nothing (what reading the body, routing and answering cost
#    before any rule: the ratio no policy can beat). wrk POSTs bench/load/input.json to /v1/data/authz/allow
#    ($THREADS threads, $CONNS keep-alive connections) for $DURATION seconds after a warm-up, on the same
#    port. The reported ratios are the medians of the rounds' ratios: this machine's speed drifts, and servers
#    measured seconds apart compare better than servers measured a minute apart.
# 2. trex again at about half of its measured maximum, to read p99 latency under moderate load. wrk has no
#    rate limit and wrk2 is not in Debian, so the rate is approximated: every connection waits
#    $HALF_DELAY_MS ms after each response (post.lua's delay() hook), the number of connections is chosen
#    from a short calibration run so that connections / (delay + latency) hits the target, and the rate
#    actually reached is printed next to the target. This is a closed loop with think time: a server stall
#    delays later requests instead of queueing them, so the p99 shown is the service latency at that rate,
#    not wrk2's coordinated-omission-corrected latency. The same is run against noop_server for reference,
#    and trex once more with only $LOW_CONNS connections at full speed (another common low-load reading).
# 3. Half load as a closed loop without think time: the number of connections (1 to $LOW_CONNS) whose
#    full-speed rate comes closest to half of trex's maximum, for trex and for noop_server. wrk's millisecond think-time timers release
#    connections in bursts, which the think-time shape above measures along with the server; here each
#    connection sends its next request as soon as the answer arrives, so the p99 is the server's under a
#    steady half load.
#
# bench/server_instructions.sh counts the same servers' instructions per request (callgrind): slower, but
# the same on every run, where req/s here drifts with whatever else the machine does.
#
# Everything (wrk, both servers) shares the machine's cores: on a 2-core machine wrk takes a good part of
# one core, so absolute numbers are low and noisy; the ratio is what this benchmark is for. The load
# average is printed at the start. Environment knobs: DURATION (6), WARMUP (2), ROUNDS (5), THREADS (2), CONNS (32),
# LOW_CONNS (4), HALF_DELAY_MS (5), PORT (default: the first free one from 28181). Besides req/s and
# latency, each run reports the server's CPU time per request (from /proc), the steadier number when the
# machine is shared.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BUILD=${1:-${BUILD_DIR:-$REPO/build}}
DURATION=${DURATION:-6}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
LOW_CONNS=${LOW_CONNS:-4}
HALF_DELAY_MS=${HALF_DELAY_MS:-5}
LOAD="$HERE/load"
# shellcheck source=server_common.sh
source "$HERE/server_common.sh"

# run_wrk SECONDS CONNS [DELAY_MS] -> prints post.lua's RESULT line
run_wrk() {
  local secs=$1 conns=$2 delay=${3:-0} threads=$THREADS
  [ "$conns" -lt "$threads" ] && threads=$conns
  BENCH_DELAY_MS=$delay wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$LOAD/post.lua" "$URL" |
    grep '^RESULT' || { echo "wrk failed" >&2; return 1; }
}

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }
rps() { awk -v n="$(field requests "$1")" -v us="$(field duration_us "$1")" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
ms() { awk -v us="$(field "$1" "$2")" 'BEGIN { printf "%.3f", us / 1000 }'; }
errors() {
  local r=$1
  echo $(($(field err_connect "$r") + $(field err_read "$r") + $(field err_write "$r") + $(field err_status "$r") + $(field err_timeout "$r")))
}

# The server's CPU time so far (user + system, clock ticks; fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

# measure NAME CONNS [DELAY_MS]: warm-up, then the measured run; sets RESULT_<NAME>, with the server's CPU
# microseconds per request appended: unlike req/s, that number barely moves when other processes compete
# for the cores, so it is the steadier trex/noop comparison on a shared machine.
measure() {
  local name=$1 conns=$2 delay=${3:-0}
  run_wrk "$WARMUP" "$conns" "$delay" >/dev/null
  local r t0 t1
  t0=$(cpu_ticks)
  r=$(run_wrk "$DURATION" "$conns" "$delay")
  t1=$(cpu_ticks)
  r="$r cpu_us_per_req=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$(field requests "$r")" \
    'BEGIN { printf "%.1f", d * 1e6 / hz / (n > 0 ? n : 1) }')"
  printf -v "RESULT_$name" '%s' "$r"
  echo "  $name: $(rps "$r") req/s, p50 $(ms p50_us "$r") ms, p99 $(ms p99_us "$r") ms, errors $(errors "$r"), server CPU $(field cpu_us_per_req "$r") us/req"
}

# Connections for about TARGET req/s with DELAY ms of think time: from a short calibration run.
calibrate() {
  local target=$1 delay=$2 conns r got
  conns=$(awk -v t="$target" -v d="$delay" 'BEGIN { c = int(t * (d + 0.5) / 1000 + 0.999); print (c < 1 ? 1 : c) }')
  # Two rounds: the timer granularity (ms) and the latency under load make the first guess land low.
  for _ in 1 2; do
    r=$(run_wrk 3 "$conns" "$delay")
    got=$(rps "$r")
    conns=$(awk -v c="$conns" -v t="$target" -v g="$got" 'BEGIN { n = int(c * t / (g > 0 ? g : 1) + 0.5); print (n < 1 ? 1 : n) }')
  done
  echo "$conns"
}

echo "server load benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), port $PORT"
echo "  wrk: $THREADS threads, $CONNS connections, ${DURATION}s after ${WARMUP}s warm-up; POST $URL_PATH"

# ---- full speed: noop, trex and trex with floor.rego in turn, $ROUNDS times ----
# The machine's speed drifts (by a third between runs seen here): measured one after the other, each ratio
# compares servers measured seconds apart, and the median of the rounds' ratios is the figure reported.
# start_server KIND: noop, trex (bench/load/authz.rego) or floor (bench/load/floor.rego)
start_server() {
  case $1 in
    noop) start_noop ;;
    trex) start_trex && check_decision ;;
    floor) start_trex "$LOAD/floor.rego" && check_decision ;;
  esac
}
for round in $(seq 1 "$ROUNDS"); do
  echo " round $round of $ROUNDS"
  for kind in noop trex floor; do
    start_server "$kind"
    measure "${kind}_max_$round" "$CONNS"
    stop_server
  done
done
# round_ratios A B [cpu]: per round, A's req/s over B's req/s in that round, in percent; with cpu, B's server
# CPU per request over A's (how much more CPU A spends on a request, as the same kind of ratio).
round_ratios() {
  local r a b
  for r in $(seq 1 "$ROUNDS"); do
    a="RESULT_$1_max_$r" b="RESULT_$2_max_$r"
    if [ "${3:-}" = cpu ]; then
      awk -v a="$(field cpu_us_per_req "${!a}")" -v b="$(field cpu_us_per_req "${!b}")" 'BEGIN { printf "%.1f\n", 100 * b / a }'
    else
      awk -v a="$(rps "${!a}")" -v b="$(rps "${!b}")" 'BEGIN { printf "%.1f\n", 100 * a / b }'
    fi
  done
}
ratio_median() {
  round_ratios "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio_list() { round_ratios "$@" | sed 's/$/%/' | paste -sd' '; }
# The rows below show the last round.
RESULT_noop_max=$(eval echo "\$RESULT_noop_max_$ROUNDS")
RESULT_trex_max=$(eval echo "\$RESULT_trex_max_$ROUNDS")
RESULT_trex_floor=$(eval echo "\$RESULT_floor_max_$ROUNDS")

# ---- trex at about half of its maximum, then noop_server at the same rate ----
start_trex
check_decision
TARGET=$(( $(rps "$RESULT_trex_max") / 2 ))
HALF_CONNS=$(calibrate "$TARGET" "$HALF_DELAY_MS")
echo "  half load: target $TARGET req/s -> $HALF_CONNS connections x ${HALF_DELAY_MS} ms think time"
measure trex_half "$HALF_CONNS" "$HALF_DELAY_MS"
measure trex_low "$LOW_CONNS"
# The closed-loop connection count whose rate comes closest to the target (short runs of 1 to $LOW_CONNS).
STEADY_CONNS=1 best_gap=-1
for c in $(seq 1 "$LOW_CONNS"); do
  got=$(rps "$(run_wrk 2 "$c")")
  gap=$((got > TARGET ? got - TARGET : TARGET - got))
  if [ "$best_gap" -lt 0 ] || [ "$gap" -lt "$best_gap" ]; then STEADY_CONNS=$c best_gap=$gap; fi
  [ "$got" -ge "$TARGET" ] && break  # more connections only go further past it
done
echo "  steady half load: $STEADY_CONNS connections without think time"
measure trex_steady "$STEADY_CONNS"
stop_server
start_noop
measure noop_half "$HALF_CONNS" "$HALF_DELAY_MS"
measure noop_steady "$STEADY_CONNS"
stop_server

# ---- summary ----
row() {  # SERVER MODE CONNS RESULT
  printf '%-6s %-34s %6s %10s %9s %9s %11s %7s\n' "$1" "$2" "$3" "$(rps "$4")" "$(ms p50_us "$4")" "$(ms p99_us "$4")" \
    "$(field cpu_us_per_req "$4")" "$(errors "$4")"
}
echo
printf '%-6s %-34s %6s %10s %9s %9s %11s %7s\n' server mode conns "req/s" "p50 ms" "p99 ms" "CPU us/req" errors
row noop "max throughput (last round)" "$CONNS" "$RESULT_noop_max"
row trex "max throughput (last round)" "$CONNS" "$RESULT_trex_max"
row noop "~half of trex max (${HALF_DELAY_MS} ms think)" "$HALF_CONNS" "$RESULT_noop_half"
row trex "~half of trex max (${HALF_DELAY_MS} ms think)" "$HALF_CONNS" "$RESULT_trex_half"
row noop "closed loop near half of trex max" "$STEADY_CONNS" "$RESULT_noop_steady"
row trex "closed loop near half of trex max" "$STEADY_CONNS" "$RESULT_trex_steady"
row trex "closed loop, few connections" "$LOW_CONNS" "$RESULT_trex_low"
row trex "floor.rego, max (last round)" "$CONNS" "$RESULT_trex_floor"
echo
echo "throughput trex/noop: $(ratio_median trex noop)%, the median of $ROUNDS rounds ($(ratio_list trex noop))  (goal >= 80%)"
echo "throughput trex with floor.rego (a constant decision)/noop: $(ratio_median floor noop)% ($(ratio_list floor noop))  (the ceiling for any policy)"
echo "server CPU per request noop/trex: $(ratio_median trex noop cpu)%, the median of $ROUNDS rounds ($(ratio_list trex noop cpu))   (the throughput ratio if both were CPU-bound alone)"
awk -v p="$(ms p99_us "$RESULT_trex_half")" -v got="$(rps "$RESULT_trex_half")" -v tgt="$TARGET" \
  'BEGIN { printf "trex p99 at %d req/s (target %d, half of max), think-time shape: %.3f ms   (goal < 1 ms)\n", got, tgt, p }'
awk -v p="$(ms p99_us "$RESULT_trex_steady")" -v got="$(rps "$RESULT_trex_steady")" -v c="$STEADY_CONNS" \
  -v max="$(rps "$RESULT_trex_max")" \
  'BEGIN { printf "trex p99 at %d req/s (%.0f%% of max), closed loop of %d connections: %.3f ms   (goal < 1 ms)\n", got, 100 * got / max, c, p }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
