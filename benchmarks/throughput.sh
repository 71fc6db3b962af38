#!/usr/bin/env bash
# Throughput benchmark of aclop-server against its references, in one run (see benchmarks/README.md):
#   (a) Garnet directly        benchmarks/GarnetHost: the same Garnet package with its own TCP listener
#   (b) aclop + embedded       aclop-server with its in-process Garnet
#   (c) redis-server directly
#   (d) haproxy -> redis       haproxy in TCP mode in front of (c): a proxy that does no work
#   (e) aclop -> redis         aclop-server with --upstream (c); "n/a" while the server refuses or ignores the flag
# SET/GET with 50 clients at pipeline 1 and 16, each measurement repeated (median), targets interleaved. Then a flood
# of denials (E15), 1 MB values, and 10,000 idle connections (E14, memory per connection).
#
# Usage: benchmarks/throughput.sh [--quick] [--no-build] [--skip-big] [--skip-idle] [--skip-denial] [--keep-workdir]
# Environment overrides (defaults in brackets, --quick values in braces):
#   REPEATS [3] {1}     CLIENTS [50]       KEYSPACE [100000]      N_P1 [120000] {20000}   N_P16 [1200000] {200000}
#   N_WARM [30000] {5000}                   N_BIG [1000] {100}     BIG_CLIENTS [50]        BIG_KEYSPACE [100]
#   N_DENY_P1 [120000] {20000}  N_DENY_P16 [1200000] {200000}  GARNET_MEMORY [256m]
#   IDLE_CONNS [10000] {1000}  IDLE_SETTLE [15] {13} (s; the second RSS reading, after the 10 s idle release)
#   IDLE_TARGETS ["b:ping b:get c:ping a:ping"] (target:command sent once per idle connection)
#   ACLOP_SERVER, GARNET_HOST: binaries to run instead of this tree's Release builds (e.g. another branch's server)
# Helpers: idle_connections.py (the idle-connection opener), resp_flood.py (the denial flood; redis-benchmark 7.0 exits
# on the first error reply). Needs dotnet (10), redis-server, redis-benchmark, redis-cli, haproxy, python3.
# Every figure is also printed as one machine-readable line starting with "BENCH ".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0 BUILD=1 DO_BIG=1 DO_IDLE=1 DO_DENIAL=1 KEEP_WORKDIR=${KEEP_WORKDIR:-0}
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --skip-big) DO_BIG=0 ;;
    --skip-idle) DO_IDLE=0 ;;
    --skip-denial) DO_DENIAL=0 ;;
    --keep-workdir) KEEP_WORKDIR=1 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "throughput.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  : "${REPEATS:=1}" "${N_P1:=20000}" "${N_P16:=200000}" "${N_WARM:=5000}" "${N_BIG:=100}" "${IDLE_CONNS:=1000}"
  : "${IDLE_SETTLE:=13}" "${N_DENY_P1:=20000}" "${N_DENY_P16:=200000}"
fi
: "${REPEATS:=3}" "${CLIENTS:=50}" "${KEYSPACE:=100000}" "${N_P1:=120000}" "${N_P16:=1200000}" "${N_WARM:=30000}"
: "${N_BIG:=1000}" "${BIG_CLIENTS:=50}" "${BIG_KEYSPACE:=100}" "${IDLE_CONNS:=10000}" "${IDLE_SETTLE:=15}"
: "${IDLE_TARGETS:=b:ping b:get c:ping a:ping}" "${N_DENY_P1:=120000}" "${N_DENY_P16:=1200000}" "${GARNET_MEMORY:=256m}"
PIPELINES=(1 16)
TARGETS=(a b c d e)
declare -A TITLE=(
  [a]="(a) Garnet directly"
  [b]="(b) aclop + embedded Garnet"
  [c]="(c) redis-server directly"
  [d]="(d) haproxy -> redis-server"
  [e]="(e) aclop -> redis-server"
)
BENCH_USER=bench BENCH_PW=benchpw
GETONLY_USER=getonly GETONLY_PW=getonlypw

die() { echo "throughput.sh: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

# ---------------------------------------------------------------- tools
missing=()
for tool in dotnet redis-server redis-benchmark redis-cli haproxy python3 awk sort; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing tool(s): ${missing[*]}. On Debian: apt-get update && apt-get install -y redis-server redis-tools haproxy python3 dotnet-sdk-10.0"
fi

# 10,000 idle connections need as many descriptors in the server and in the opener (which raises its own soft limit).
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((IDLE_CONNS + 200)) ]; then
  [ "$DO_IDLE" = 1 ] && die "ulimit -Hn is $hard; the idle-connection test needs $((IDLE_CONNS + 200)) (or set IDLE_CONNS lower, or --skip-idle)"
fi
ulimit -n "$hard" 2>/dev/null || true

# ---------------------------------------------------------------- processes and clean-up
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aclop-throughput.XXXXXX")
declare -A PID=() PORT=() LIVE=()

stop_pid() { # stop_pid PID: TERM, then KILL after 10 s
  local p=$1 i
  kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${!LIVE[@]}"; do stop_pid "$p"; done
  if [ "$KEEP_WORKDIR" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready NAME PORT [redis-cli auth args...]: PING until PONG; fails if the process exits or after 60 s
wait_ready() {
  local name=$1 port=$2 i
  shift 2
  for i in $(seq 600); do
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then return 1; fi
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" "$@" PING 2>/dev/null)" = PONG ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# start NAME CMD...: start in the background with output to $WORK/NAME.log; PORT[NAME] must be set
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  PID[$name]=$!
  LIVE[$!]=1
}

start_or_die() {
  local name=$1
  shift
  start "$name" "$@"
  if ! wait_ready "$name" "${PORT[$name]}"; then
    tail -n 20 "$WORK/$name.log" >&2 || true
    die "$name did not answer PING on 127.0.0.1:${PORT[$name]}"
  fi
}

stop() { # stop NAME (and forget its pid, so clean-up never signals a recycled pid)
  local p=${PID[$1]:-}
  [ -n "$p" ] || return 0
  stop_pid "$p"
  unset "LIVE[$p]" "PID[$1]"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# spread: half the range of the runs as a percentage of their median ("-" with fewer than 2 runs)
spread() { sort -g | awk '{v[NR]=$1} END {if (NR<2 || v[1]=="err") {print "-"; exit} m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; if (m>0) printf "%.0f%%", (v[NR]-v[1])/2/m*100; else print "-"}'; }

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

fmt_cpu() { case "$1" in n/a|err|"") echo "${1:-n/a}" ;; *) awk -v v="$1" 'BEGIN {if (v >= 100) printf "%.0f", v; else printf "%.2f", v}' ;; esac; }

fmt_int() { case "$1" in n/a|err|"") echo "${1:-n/a}" ;; *) printf "%.0f" "$1" ;; esac; }

# ratio NUM DEN -> three decimals, or n/a
ratio() {
  case "$1$2" in *n/a*|*err*) echo n/a; return ;; esac
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'
}

# ---------------------------------------------------------------- build
SERVER=${ACLOP_SERVER:-$ROOT/src/AclOperator.Server/bin/Release/net10.0/aclop-server}
GARNET_HOST=${GARNET_HOST:-$ROOT/benchmarks/GarnetHost/bin/Release/net10.0/garnet-host}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "$BUILD" = 1 ]; then
  log "building Release (aclop-server, garnet-host)"
  dotnet build "$ROOT/src/AclOperator.Server" -c Release -v quiet -nologo >"$WORK/build.log" 2>&1 \
    && dotnet build "$ROOT/benchmarks/GarnetHost" -c Release -v quiet -nologo >>"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
fi
[ -x "$SERVER" ] || die "$SERVER not built (run without --no-build)"
[ -x "$GARNET_HOST" ] || die "$GARNET_HOST not built (run without --no-build)"

# ---------------------------------------------------------------- ACL file
# bench: 100 key patterns, the benchmark keys (key:__rand_int__) match only the 100th, so every check goes through the
# whole indexed set. getonly: GET on allowed:* only (the denial flood).
ACL=$WORK/users.acl
{
  echo "user default on nopass ~* &* +@all"
  printf 'user %s on >%s' "$BENCH_USER" "$BENCH_PW"
  for i in $(seq 0 98); do printf ' ~k:%d:*' "$i"; done
  echo ' ~key:* resetchannels +@all -@dangerous'
  echo "user $GETONLY_USER on >$GETONLY_PW ~allowed:* resetchannels -@all +get"
} >"$ACL"
[ "$(grep -o ' ~' "$ACL" | wc -l)" -ge 101 ] || die "aclfile: expected 100 key patterns for $BENCH_USER"

auth_args() { # redis-benchmark/redis-cli arguments for a target
  case "$1" in b|e) echo "--user $BENCH_USER -a $BENCH_PW" ;; *) echo "" ;; esac
}

# ---------------------------------------------------------------- versions
GARNET_VERSION=$(sed -n 's/.*Include="Microsoft.Garnet" Version="\[\{0,1\}\([0-9.]*\)\]\{0,1\}".*/\1/p' "$ROOT/Directory.Packages.props")
REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
HAPROXY_VERSION=$(haproxy -v | awk 'NR==1 {print $3}')
DOTNET_VERSION=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App 10\./ {v=$2} END {print v}')
BENCH_VERSION=$(redis-benchmark --version 2>/dev/null | awk '{print $2}')
CPU_MODEL=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "aclop throughput benchmark $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores ($CPU_MODEL), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: redis-server $REDIS_VERSION, redis-benchmark $BENCH_VERSION, haproxy $HAPROXY_VERSION, .NET $DOTNET_VERSION, Garnet $GARNET_VERSION"
echo "settings: clients $CLIENTS, keyspace $KEYSPACE, requests P1 $N_P1 / P16 $N_P16, repeats $REPEATS (median), bench user with 100 key patterns"
echo "BENCH meta date=$(date -u +%FT%TZ) cores=$(nproc) redis=$REDIS_VERSION haproxy=$HAPROXY_VERSION dotnet=$DOTNET_VERSION garnet=$GARNET_VERSION repeats=$REPEATS clients=$CLIENTS quick=$QUICK"

# ---------------------------------------------------------------- targets
for t in a b c d e; do PORT[$t]=$(free_port); done
log "starting targets: a=${PORT[a]} b=${PORT[b]} c=${PORT[c]} d=${PORT[d]} e=${PORT[e]}"

redis_cmd() { # redis_cmd PORT: sets REDIS_CMD to a throwaway redis-server, no persistence
  REDIS_CMD=(redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$WORK"
    --maxclients $((IDLE_CONNS + 100)))
}

start_or_die a "$GARNET_HOST" --port "${PORT[a]}" --bind 127.0.0.1 --memory "$GARNET_MEMORY"
start_or_die b "$SERVER" --port "${PORT[b]}" --bind 127.0.0.1 --aclfile "$ACL" --maxmemory "$GARNET_MEMORY" \
  --maxclients $((IDLE_CONNS + 100))
redis_cmd "${PORT[c]}"
start_or_die c "${REDIS_CMD[@]}"
cat >"$WORK/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend fe
  bind 127.0.0.1:${PORT[d]}
  default_backend be
backend be
  server redis 127.0.0.1:${PORT[c]}
CFG
start_or_die d haproxy -db -f "$WORK/haproxy.cfg"

# (e): the --upstream flag may not exist yet (start-up error) or be accepted and ignored (then the server would
# quietly measure its embedded Garnet). Both give n/a; a key written through (e) must appear in (c).
E_STATUS=ok
start e "$SERVER" --port "${PORT[e]}" --bind 127.0.0.1 --aclfile "$ACL" --upstream "127.0.0.1:${PORT[c]}" \
  --maxclients $((IDLE_CONNS + 100))
if ! wait_ready e "${PORT[e]}"; then
  reason=$(grep -v '^\s*$' "$WORK/e.log" | tail -n 1 | cut -c1-160)
  E_STATUS="n/a: aclop-server refused --upstream (${reason:-no output})"
  stop e
else
  token=probe-$RANDOM$RANDOM
  # shellcheck disable=SC2046
  redis-cli -p "${PORT[e]}" $(auth_args e) SET key:__aclop_upstream_probe__ "$token" >/dev/null 2>&1 || true
  if [ "$(redis-cli -p "${PORT[c]}" GET key:__aclop_upstream_probe__ 2>/dev/null)" != "$token" ]; then
    E_STATUS="n/a: aclop-server accepted --upstream but the probe key did not reach redis-server (flag ignored)"
    stop e
  fi
  redis-cli -p "${PORT[c]}" DEL key:__aclop_upstream_probe__ >/dev/null 2>&1 || true
fi
ACTIVE=(a b c d)
if [ "$E_STATUS" = ok ]; then ACTIVE+=(e); else log "(e) $E_STATUS"; fi
echo "BENCH meta target=e status=$( [ "$E_STATUS" = ok ] && echo ok || echo n/a )"

# ---------------------------------------------------------------- SET/GET
# Besides ops/s, each run records the server-side CPU time per request (utime+stime of the target's processes from
# /proc, so (d) counts haproxy + redis-server and (e) aclop-server + redis-server). CPU per request is much less
# sensitive to other load on the machine than ops/s.
TICK_US=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { local p s=0; for p in "$@"; do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$s"; }
cpu_pids() { case "$1" in d) echo "${PID[d]} ${PID[c]}" ;; e) echo "${PID[e]} ${PID[c]}" ;; *) echo "${PID[$1]}" ;; esac; }

# bench TARGET PIPELINE N TEST [redis-benchmark args that override...] -> "ops/s cpu_us_per_request" ("err err")
bench() {
  local t=$1 p=$2 n=$3 test=$4 out rps c0 c1
  shift 4
  # shellcheck disable=SC2046
  c0=$(cpu_ticks $(cpu_pids "$t"))
  # shellcheck disable=SC2046
  out=$(redis-benchmark -h 127.0.0.1 -p "${PORT[$t]}" $(auth_args "$t") -t "$test" -c "$CLIENTS" -P "$p" -n "$n" \
        -r "$KEYSPACE" --csv -q "$@" 2>>"$WORK/redis-benchmark.err") || true
  # shellcheck disable=SC2046
  c1=$(cpu_ticks $(cpu_pids "$t"))
  rps=$(awk -F'"' -v T="${test^^}" '$2==T {print $4}' <<<"$out")
  if [ -z "$rps" ]; then echo "err err"; return; fi
  awk -v r="$rps" -v c=$((c1 - c0)) -v u="$TICK_US" -v n="$n" 'BEGIN {printf "%s %.3f\n", r, c * u / n}'
}

log "warm-up (JIT, store allocation)"
for t in "${ACTIVE[@]}"; do
  bench "$t" 16 $((N_WARM * 10)) set >/dev/null
  bench "$t" 1 "$N_WARM" get >/dev/null
done

# Results: $WORK/res/<target>.<pipeline>.<TEST> (ops/s) and .cpu (µs/request), one line per repetition, in order.
mkdir -p "$WORK/res"
for rep in $(seq "$REPEATS"); do
  for p in "${PIPELINES[@]}"; do
    n=$N_P1; [ "$p" = 16 ] && n=$N_P16
    for t in "${ACTIVE[@]}"; do
      line=""
      for test in SET GET; do
        read -r r c < <(bench "$t" "$p" "$n" "${test,,}")
        echo "$r" >>"$WORK/res/$t.$p.$test"
        echo "$c" >>"$WORK/res/$t.$p.$test.cpu"
        line="$line $test $r ($c us/op)"
      done
      log "run $rep/$REPEATS P$p ${TITLE[$t]}:$line"
    done
  done
done

med_file() { if [ -f "$1" ] && ! grep -q err "$1"; then median <"$1"; else echo n/a; fi; }
# paired_ratio NUMFILE DENFILE [inverse]: median over repetitions of num_i/den_i (den_i/num_i with "inverse"). Both
# sides of a pair ran seconds apart, so slow changes in the machine's load cancel out.
paired_ratio() {
  if [ ! -f "$1" ] || [ ! -f "$2" ] || grep -q err "$1" "$2"; then echo n/a; return; fi
  paste -d' ' "$1" "$2" | awk -v inv="${3:-}" '{ if (inv) { if ($1 > 0) print $2 / $1 } else if ($2 > 0) print $1 / $2 }' \
    | median | awk '{ if ($1 == "n/a") print; else printf "%.3f", $1 }'
}

declare -A R=()
for t in "${TARGETS[@]}"; do
  for p in "${PIPELINES[@]}"; do
    for test in SET GET; do
      f=$WORK/res/$t.$p.$test
      R[$t.$p.$test]=$(med_file "$f")
      R[$t.$p.$test.cpu]=$(med_file "$f.cpu")
      runs=$( [ -f "$f" ] && paste -sd, "$f" || echo n/a)
      cpus=$( [ -f "$f.cpu" ] && paste -sd, "$f.cpu" || echo n/a)
      echo "BENCH throughput target=$t pipeline=$p test=$test ops=${R[$t.$p.$test]} cpu_us_per_op=${R[$t.$p.$test.cpu]} runs=$runs cpu_runs=$cpus"
    done
  done
done

echo
echo "SET/GET, $CLIENTS clients, -r $KEYSPACE, median of $REPEATS; CPU = server-side CPU time per request"
printf '%-30s %8s %10s %10s %6s %6s %10s %10s\n' target pipeline "SET ops/s" "GET ops/s" "SET+-" "GET+-" "SET us/op" "GET us/op"
for t in "${TARGETS[@]}"; do
  for p in "${PIPELINES[@]}"; do
    ss=-; gs=-
    [ -f "$WORK/res/$t.$p.SET" ] && ss=$(spread <"$WORK/res/$t.$p.SET") && gs=$(spread <"$WORK/res/$t.$p.GET")
    printf '%-30s %8s %10s %10s %6s %6s %10s %10s\n' "${TITLE[$t]}" "$p" "$(fmt_int "${R[$t.$p.SET]}")" "$(fmt_int "${R[$t.$p.GET]}")" \
      "$ss" "$gs" "$(fmt_cpu "${R[$t.$p.SET.cpu]}")" "$(fmt_cpu "${R[$t.$p.GET.cpu]}")"
  done
done
echo "(+-: half the range of the $REPEATS runs relative to their median, i.e. the noise of that figure)"
[ "$E_STATUS" = ok ] || echo "(e) $E_STATUS"

echo
echo "ratios: median of the per-repetition ratios (targets: b/a >= 0.9, e/d >= 1.0; d/c, e/c for orientation)"
echo "        ops = throughput ratio; cpu = CPU-per-request ratio inverted (den cost / num cost; 1.0 = equally cheap)"
printf '%-6s %8s %8s %8s %8s %5s %9s %9s\n' ratio pipeline "SET ops" "GET ops" target met "SET cpu" "GET cpu"
: >"$WORK/ratio.lines"
for spec in "b/a:0.9" "d/c:" "e/c:" "e/d:1.0"; do
  name=${spec%%:*} goal=${spec#*:} num=${name%/*} den=${name#*/}
  for p in "${PIPELINES[@]}"; do
    rs=$(paired_ratio "$WORK/res/$num.$p.SET" "$WORK/res/$den.$p.SET")
    rg=$(paired_ratio "$WORK/res/$num.$p.GET" "$WORK/res/$den.$p.GET")
    cs=$(paired_ratio "$WORK/res/$num.$p.SET.cpu" "$WORK/res/$den.$p.SET.cpu" inverse)
    cg=$(paired_ratio "$WORK/res/$num.$p.GET.cpu" "$WORK/res/$den.$p.GET.cpu" inverse)
    met=-
    if [ -n "$goal" ]; then
      if [ "$rs" = n/a ] || [ "$rg" = n/a ]; then met=n/a
      elif awk -v s="$rs" -v g="$rg" -v m="$goal" 'BEGIN {exit !(s >= m && g >= m)}'; then met=yes
      else met=no; fi
    fi
    printf '%-6s %8s %8s %8s %8s %5s %9s %9s\n' "$name" "$p" "$rs" "$rg" "${goal:--}" "$met" "$cs" "$cg"
    for test in SET GET; do
      v=$rs c=$cs; [ "$test" = GET ] && v=$rg c=$cg
      echo "BENCH ratio ratio=$name pipeline=$p test=$test value=$v cpu_value=$c target=${goal:-none} met=$met" >>"$WORK/ratio.lines"
    done
  done
done
cat "$WORK/ratio.lines"

# ---------------------------------------------------------------- denial flood (E15)
# Debian's redis-benchmark (7.0) exits on the first error reply, so both sides of the comparison are timed with
# benchmarks/resp_flood.py (same shape: clients, pipeline, random keys). Allowed keys do not exist: a forwarded GET
# that misses, against a denial that never reaches the backend.
if [ "$DO_DENIAL" = 1 ]; then
  echo
  echo "denial flood: user $GETONLY_USER (+get ~allowed:*), GET allowed:<r> (allowed, key absent) vs GET key:<r> (every reply NOPERM), $CLIENTS clients, median of $REPEATS"
  printf '%-30s %8s %14s %14s %8s %12s %14s %10s\n' target pipeline "allowed GET/s" "denials/s" ratio "ACL LOG len" "RSS delta KiB" client_cpu
  DENY_TARGETS=(b); [ "$E_STATUS" = ok ] && DENY_TARGETS+=(e)
  for t in "${DENY_TARGETS[@]}"; do
    max_len=$(redis-cli -p "${PORT[$t]}" CONFIG GET acllog-max-len 2>/dev/null | sed -n 2p)
    rss_before=$(rss_kib "${PID[$t]}")
    for p in "${PIPELINES[@]}"; do
      n=$N_DENY_P1; [ "$p" = 16 ] && n=$N_DENY_P16
      cpu_note=
      for rep in $(seq "$REPEATS"); do
        for kind in allowed denied; do
          prefix=allowed: expect=null
          [ "$kind" = denied ] && prefix=key: expect=error
          out=$(python3 "$ROOT/benchmarks/resp_flood.py" --port "${PORT[$t]}" --user "$GETONLY_USER" --password "$GETONLY_PW" \
                --clients "$CLIENTS" --pipeline "$p" --requests "$n" --keyspace "$KEYSPACE" --prefix "$prefix" \
                --expect "$expect" 2>>"$WORK/resp_flood.err") || true
          v=$(sed -n 's/^ops=\([0-9.]*\) .*/\1/p' <<<"$out")
          cpu_note="$cpu_note$(sed -n 's/.*client_cpu=\([0-9.]*\).*/\1/p' <<<"$out"),"
          [ -n "$v" ] || log "denial flood on $t ($kind, P$p) failed: $(tail -n 1 "$WORK/resp_flood.err" 2>/dev/null)"
          echo "${v:-err}" >>"$WORK/res/$t.deny.$p.$kind"
        done
      done
      for kind in allowed denied; do
        f=$WORK/res/$t.deny.$p.$kind
        if grep -q err "$f"; then R[$t.deny.$p.$kind]=n/a; else R[$t.deny.$p.$kind]=$(median <"$f"); fi
      done
      entries=$(redis-cli -p "${PORT[$t]}" ACL LOG 1000000 2>/dev/null | grep -c '^reason$' || true)
      rdelta=$(( $(rss_kib "${PID[$t]}") - rss_before ))
      dr=$(ratio "${R[$t.deny.$p.denied]}" "${R[$t.deny.$p.allowed]}")
      cpu_max=$(tr ',' '\n' <<<"$cpu_note" | sort -g | tail -n 1)
      printf '%-30s %8s %14s %14s %8s %12s %14s %10s\n' "${TITLE[$t]}" "$p" "$(fmt_int "${R[$t.deny.$p.allowed]}")" \
        "$(fmt_int "${R[$t.deny.$p.denied]}")" "$dr" "$entries/$max_len" "$rdelta" "${cpu_max:-?}"
      echo "BENCH denial target=$t pipeline=$p allowed_ops=${R[$t.deny.$p.allowed]} denied_ops=${R[$t.deny.$p.denied]} ratio=$dr acllog_entries=$entries acllog_max_len=$max_len rss_delta_kib=$rdelta client_cpu_max=${cpu_max:-?}"
    done
  done
  echo "(client_cpu: the flood client's CPU time / wall time; well below 1.0 means the client was not the bottleneck)"
fi

# ---------------------------------------------------------------- 1 MB values
if [ "$DO_BIG" = 1 ]; then
  echo
  echo "1 MB values: SET/GET -d 1048576, $BIG_CLIENTS clients, pipeline 1, -r $BIG_KEYSPACE, $N_BIG requests, median of $REPEATS (ops/s = MiB/s)"
  for rep in $(seq "$REPEATS"); do
    for t in "${ACTIVE[@]}"; do
      line=""
      for test in SET GET; do
        read -r r c < <(bench "$t" 1 "$N_BIG" "${test,,}" -c "$BIG_CLIENTS" -r "$BIG_KEYSPACE" -d 1048576)
        echo "$r" >>"$WORK/res/$t.big.$test"
        echo "$c" >>"$WORK/res/$t.big.$test.cpu"
        line="$line $test $r ($c us/op)"
      done
      log "1MB run $rep/$REPEATS ${TITLE[$t]}:$line"
    done
  done
  printf '%-30s %10s %10s %6s %6s %10s %10s\n' target "SET ops/s" "GET ops/s" "SET+-" "GET+-" "SET us/op" "GET us/op"
  for t in "${TARGETS[@]}"; do
    for test in SET GET; do
      R[$t.big.$test]=$(med_file "$WORK/res/$t.big.$test")
      R[$t.big.$test.cpu]=$(med_file "$WORK/res/$t.big.$test.cpu")
    done
    ss=-; gs=-
    [ -f "$WORK/res/$t.big.SET" ] && ss=$(spread <"$WORK/res/$t.big.SET") && gs=$(spread <"$WORK/res/$t.big.GET")
    printf '%-30s %10s %10s %6s %6s %10s %10s\n' "${TITLE[$t]}" "$(fmt_int "${R[$t.big.SET]}")" "$(fmt_int "${R[$t.big.GET]}")" \
      "$ss" "$gs" "$(fmt_cpu "${R[$t.big.SET.cpu]}")" "$(fmt_cpu "${R[$t.big.GET.cpu]}")"
  done
  for t in "${TARGETS[@]}"; do
    for test in SET GET; do
      f=$WORK/res/$t.big.$test
      echo "BENCH bigvalue target=$t test=$test bytes=1048576 ops=${R[$t.big.$test]} cpu_us_per_op=${R[$t.big.$test.cpu]} runs=$( [ -f "$f" ] && paste -sd, "$f" || echo n/a)"
    done
  done
  printf '%-6s %8s %8s %9s %9s\n' ratio "SET ops" "GET ops" "SET cpu" "GET cpu"
  for spec in b/a d/c e/c e/d; do
    num=${spec%/*} den=${spec#*/} f=$WORK/res
    rs=$(paired_ratio "$f/$num.big.SET" "$f/$den.big.SET"); rg=$(paired_ratio "$f/$num.big.GET" "$f/$den.big.GET")
    cs=$(paired_ratio "$f/$num.big.SET.cpu" "$f/$den.big.SET.cpu" inverse); cg=$(paired_ratio "$f/$num.big.GET.cpu" "$f/$den.big.GET.cpu" inverse)
    printf '%-6s %8s %8s %9s %9s\n' "$spec" "$rs" "$rg" "$cs" "$cg"
    echo "BENCH bigvalue-ratio ratio=$spec SET=$rs GET=$rg SET_cpu=$cs GET_cpu=$cg" >>"$WORK/bigratio.lines"
  done
  cat "$WORK/bigratio.lines"
  for t in "${ACTIVE[@]}"; do
    echo "BENCH memory target=$t phase=after-1mb rss_kib=$(rss_kib "${PID[$t]}") hwm_kib=$(hwm_kib "${PID[$t]}")"
  done
fi

# ---------------------------------------------------------------- 10,000 idle connections (E14)
if [ "$DO_IDLE" = 1 ]; then
  echo
  echo "idle connections: $IDLE_CONNS connections to a fresh instance, one command each (PING: answered by the front end;"
  echo "GET: opens aclop's backend session, released after 10 s idle); VmRSS before, 2 s after, and ${IDLE_SETTLE} s after"
  printf '%-30s %5s %7s %10s %11s %9s %9s\n' target cmd conns "RSS0 KiB" "RSS+2s KiB" "KiB/conn" "@${IDLE_SETTLE}s"
  for spec in $IDLE_TARGETS; do
      t=${spec%%:*} cmd=ping
      [ "$spec" != "$t" ] && cmd=${spec#*:}
      n=idle_${t}_$cmd
      PORT[$n]=$(free_port)
      case "$t" in
        a) start_or_die "$n" "$GARNET_HOST" --port "${PORT[$n]}" --bind 127.0.0.1 --memory "$GARNET_MEMORY" ;;
        b) start_or_die "$n" "$SERVER" --port "${PORT[$n]}" --bind 127.0.0.1 --aclfile "$ACL" --maxmemory "$GARNET_MEMORY" \
             --maxclients $((IDLE_CONNS + 100)) ;;
        c) redis_cmd "${PORT[$n]}"; start_or_die "$n" "${REDIS_CMD[@]}" ;;
        *) log "idle test: target $t not supported (a, b, c)"; continue ;;
      esac
      # A few commands first so lazily created state (JIT, pools) is in the baseline, then let it settle.
      redis-benchmark -h 127.0.0.1 -p "${PORT[$n]}" -t ping,set,get -c 10 -n 20000 -q >/dev/null 2>&1 || true
      sleep 3
      rss0=$(rss_kib "${PID[$n]}")
      start "${n}_opener" python3 "$ROOT/benchmarks/idle_connections.py" --port "${PORT[$n]}" --count "$IDLE_CONNS" --command "$cmd"
      ok=0
      for i in $(seq 1800); do
        if grep -q '^ready' "$WORK/${n}_opener.log" 2>/dev/null; then ok=1; break; fi
        kill -0 "${PID[${n}_opener]}" 2>/dev/null || break
        sleep 0.1
      done
      if [ "$ok" != 1 ]; then
        log "idle test on $t failed: $(tail -n 2 "$WORK/${n}_opener.log" 2>/dev/null | tr '\n' ' ')"
        echo "BENCH idle target=$t command=$cmd conns=$IDLE_CONNS status=failed"
        stop "${n}_opener"; stop "$n"; continue
      fi
      sleep 2
      rss1=$(rss_kib "${PID[$n]}")
      sleep $((IDLE_SETTLE > 2 ? IDLE_SETTLE - 2 : 0))
      rss2=$(rss_kib "${PID[$n]}")
      k1=$(awk -v a="$rss1" -v b="$rss0" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f", (a - b) / n}')
      k2=$(awk -v a="$rss2" -v b="$rss0" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f", (a - b) / n}')
      printf '%-30s %5s %7s %10s %11s %9s %9s\n' "${TITLE[$t]}" "$cmd" "$IDLE_CONNS" "$rss0" "$rss1" "$k1" "$k2"
      echo "BENCH idle target=$t command=$cmd conns=$IDLE_CONNS rss0_kib=$rss0 rss_2s_kib=$rss1 rss_${IDLE_SETTLE}s_kib=$rss2 kib_per_conn_2s=$k1 kib_per_conn_${IDLE_SETTLE}s=$k2 limit_kib=32"
      stop "${n}_opener"
      stop "$n"
  done
  echo "(E14 limit: 32 KiB per idle connection, for aclop-server (b); RSS does not fall when the GC frees memory it keeps)"
fi

echo
echo "done."
