#!/usr/bin/env bash
# Load benchmark: the project's three conformance servers (tokio, smol,
# blocking) against a dxr server on axum and a hyper server that answers
# every POST with a fixed response (the ceiling of this machine).
#
# Needs wrk from the distribution's packages, curl and python3:
#
#     apt-get update && apt-get install -y wrk
#
# (the script runs that itself when wrk is missing and it runs as root).
#
# Each (scenario, server) pair gets a fresh server pinned to one core
# (SERVER_CPU) and wrk, one thread, pinned to another (CLIENT_CPU), over
# loopback keep-alive connections. Before the measured run the server's
# answer is fetched once with curl and compared with the expected value,
# and again after it. Scenarios: add(1, 2) at 64 and at 1000 connections,
# validator1.arrayOfStructsTest with 100 structs at 64 connections.
# Recorded: requests/s, latency percentiles (wrk --latency), socket errors,
# the server's CPU use and its peak RSS (VmHWM of /proc/PID/status).
#
# Usage: benches/load/run.sh [SERVER...]   (default: all five)
#   SERVER is one of hyper dxr tokio smol blocking.
# Environment:
#   DURATION=10s   measured length of each run     WARMUP=2s   unmeasured first
#   ROUNDS=1       repetitions, interleaved        SCENARIOS="add64 add1000 structs64"
#   SERVER_CPU=1 CLIENT_CPU=0                      SKIP_BUILD=1 to use existing binaries
#   NICE=0         niceness of server and wrk (e.g. -10, as root, on a busy machine)
#   OUT=benches/load/out/DATE                      results.tsv, report.md, logs
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-1}
SCENARIOS=${SCENARIOS:-"add64 add1000 structs64"}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
NICE=${NICE:-0}
OUT=${OUT:-$here/out/$(date -u +%Y%m%dT%H%M%SZ)}
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(hyper dxr tokio smol blocking)

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update && apt-get install -y wrk
    else
        echo "run.sh: wrk is missing: apt-get update && apt-get install -y wrk" >&2
        exit 2
    fi
fi
for tool in curl python3 taskset; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 2; }
done

# 1000 connections on each side, plus the server's own descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
    echo "run.sh: ulimit -n is $(ulimit -n); 1000 connections need more" >&2
    exit 2
fi

if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$root" && cargo build --release \
        -p xmlrpc-tokio --example conformance_tokio \
        -p xmlrpc-smol --example conformance_smol \
        -p xmlrpc-blocking --example conformance_blocking)
    cargo build --release --manifest-path "$here/Cargo.toml"
fi

server_cmd() {
    case $1 in
        hyper) echo "$here/target/release/hyper_ceiling --response $OUT/$2.response.xml" ;;
        dxr) echo "$here/target/release/dxr_axum" ;;
        tokio | smol | blocking) echo "$root/target/release/examples/conformance_$1" ;;
        *) echo "run.sh: unknown server $1" >&2; exit 2 ;;
    esac
}

mkdir -p "$OUT/logs"
python3 "$here/load.py" bodies "$OUT"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host: $(uname -srm), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (modified)')"
    echo "duration: $DURATION after $WARMUP warm-up; rounds: $ROUNDS; server on CPU $SERVER_CPU, wrk -t1 on CPU $CLIENT_CPU, niceness $NICE"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/conditions.txt"
cat "$OUT/conditions.txt"

printf 'round\tscenario\tserver\trequests\tduration_us\trps\tp50_us\tp90_us\tp99_us\tmax_us\terrors\tserver_cpu\tcpu_us_per_req\tvmhwm_kib\tloadavg\n' \
    > "$OUT/results.tsv"

pid=
stop_server() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}
trap stop_server EXIT

# Server CPU time in clock ticks (user + system) from /proc/PID/stat.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

run_one() { # round scenario server
    local round=$1 scenario=$2 server=$3 body conns name expected
    case $scenario in
        add64) name=add; body=add; conns=64; expected=3 ;;
        add1000) name=add; body=add; conns=1000; expected=3 ;;
        structs64) name=arrayOfStructsTest; body=structs100; conns=64
            expected=$(cat "$OUT/structs100.expected") ;;
        *) echo "run.sh: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    local log="$OUT/logs/$round-$scenario-$server"
    # shellcheck disable=SC2046
    nice -n "$NICE" taskset -c "$SERVER_CPU" $(server_cmd "$server" "$body") --listen 127.0.0.1:0 \
        > "$log.server.out" 2> "$log.server.err" &
    pid=$!
    local url=
    for _ in $(seq 100); do
        url=$(sed -n '1s|^listening on \(http://.*\)$|\1|p' "$log.server.out" 2>/dev/null || true)
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "run.sh: $server did not start; see $log.server.err" >&2
        exit 1
    fi
    curl -sS --max-time 10 -H 'Content-Type: text/xml' --data-binary "@$OUT/$body.xml" \
        "$url" > "$log.before.xml"
    if ! python3 "$here/load.py" check "$log.before.xml" "$expected"; then
        echo "run.sh: $server answers $scenario wrongly; see $log.before.xml" >&2
        exit 1
    fi
    BODY="$OUT/$body.xml" nice -n "$NICE" taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$WARMUP" \
        -s "$here/lua/post.lua" "$url" > "$log.warmup.txt" 2>&1
    local load ticks0 ticks1
    load=$(cut -d' ' -f1 /proc/loadavg)
    ticks0=$(cpu_ticks "$pid")
    BODY="$OUT/$body.xml" nice -n "$NICE" taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$DURATION" \
        --latency -s "$here/lua/post.lua" "$url" > "$log.wrk.txt" 2>&1
    ticks1=$(cpu_ticks "$pid")
    local hwm
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
    curl -sS --max-time 10 -H 'Content-Type: text/xml' --data-binary "@$OUT/$body.xml" \
        "$url" > "$log.after.xml"
    if ! python3 "$here/load.py" check "$log.after.xml" "$expected"; then
        echo "run.sh: $server answers $scenario wrongly after the run; see $log.after.xml" >&2
        exit 1
    fi
    stop_server
    local result
    result=$(grep '^RESULT ' "$log.wrk.txt") || {
        echo "run.sh: no result from wrk; see $log.wrk.txt" >&2
        exit 1
    }
    # shellcheck disable=SC2086
    local $(echo "${result#RESULT }")
    local hz errors rps cpu per_req
    hz=$(getconf CLK_TCK)
    errors=$((connect + read + write + status + timeout))
    rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r * 1e6 / d }')
    cpu=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v d="$duration_us" \
        'BEGIN { printf "%.0f", 100 * t / hz / (d / 1e6) }')
    per_req=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v r="$requests" \
        'BEGIN { printf "%.1f", r ? t / hz * 1e6 / r : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" \
        "$name c$conns" "$server" "$requests" "$duration_us" "$rps" "$p50_us" "$p90_us" \
        "$p99_us" "$max_us" "$errors" "$cpu" "$per_req" "$hwm" "$load" >> "$OUT/results.tsv"
    printf '%-9s %-8s %7s req/s  p99 %7.2f ms  errors %s  cpu %3s %%  %6s µs/req  peak RSS %s KiB\n' \
        "$scenario" "$server" "$rps" "$(awk -v p="$p99_us" 'BEGIN { print p / 1000 }')" \
        "$errors" "$cpu" "$per_req" "$hwm"
}

for round in $(seq "$ROUNDS"); do
    for scenario in $SCENARIOS; do
        for server in "${servers[@]}"; do
            run_one "$round" "$scenario" "$server"
        done
    done
done

python3 "$here/load.py" report "$OUT" > "$OUT/report.md"
echo
cat "$OUT/report.md"
echo
echo "results in $OUT"
