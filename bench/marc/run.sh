#!/usr/bin/env bash
# MARC import benchmark, end to end through the gateway: generated ISO 2709
# files (the National Library of Russia fixture repeated, each copy with a new
# ISBN, control number and holdings barcode, so every record is created and
# every copy becomes an item) are POSTed to /api/v1/catalog/imports one after
# the other and each job is polled until done. The figure is records divided
# by the time from the first POST to the last job done.
#
#   bench/marc/run.sh [RECORDS_PER_FILE] [FILES]
#
# It runs its own stack (scripts/stack) under IBC_RUN_DIR (default
# .run-bench) on ports 34xxx, with the binaries of IBC_BIN_DIR (default
# build), and stops it at the end (KEEP=1 leaves it running). The catalog's
# writers per job: IBC_IMPORT_WRITERS (default 2). Needs curl, python3, gcc,
# pkg-config, libyaz-dev, libjansson-dev.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
per_file=${1:-25000}
files=${2:-4}
export IBC_RUN_DIR=${IBC_RUN_DIR:-$root/.run-bench}
export IBC_BIN_DIR=${IBC_BIN_DIR:-$root/build}
export IBC_PG_PORT=${IBC_PG_PORT:-34432} IBC_NATS_PORT=${IBC_NATS_PORT:-34222}
export IBC_HTTP_PORT=${IBC_HTTP_PORT:-34080} IBC_METRICS_BASE=${IBC_METRICS_BASE:-34100}
export IBC_IMPORT_WRITERS=${IBC_IMPORT_WRITERS:-2}
export IBC_REQUEST_TIMEOUT_MS=${IBC_REQUEST_TIMEOUT_MS:-10000}
source_file=${MARC_SOURCE:-$root/tests/data/marc/rusmarc-nlr-cp1251.iso}
work=$IBC_RUN_DIR/bench-marc
mkdir -p "$work"

log() { printf 'bench: %s\n' "$*" >&2; }

gcc -O2 -std=gnu11 -Wall -Wextra $(pkg-config --cflags yaz jansson) \
  "$root/bench/marc/gen_marc.c" -o "$work/gen_marc" $(pkg-config --libs yaz jansson)
for ((f = 0; f < files; f++)); do
  [ -s "$work/file$f.iso" ] && [ "$(cat "$work/file$f.count" 2>/dev/null)" = "$per_file" ] && continue
  "$work/gen_marc" "$source_file" "$work/file$f.iso" "$per_file" rusmarc cp1251 \
    $((f * per_file)) 2>/dev/null
  echo "$per_file" >"$work/file$f.count"
done
log "$files files of $per_file records, $(du -ch "$work"/file*.iso | tail -1 | cut -f1) in all"

stop() { [ "${KEEP:-0}" = 1 ] || "$root/scripts/stack" down >/dev/null 2>&1 || true; }
trap stop EXIT
# an empty catalog for every run (REUSE=1 keeps the database of the last one)
"$root/scripts/stack" down >/dev/null 2>&1 || true
if [ "${REUSE:-0}" != 1 ]; then
  [ -e "$IBC_RUN_DIR/pg" ] && rm -rf "$(readlink -f "$IBC_RUN_DIR/pg")" "$IBC_RUN_DIR/pg"
  rm -rf "$IBC_RUN_DIR/nats" "$IBC_RUN_DIR/admin.key" "$IBC_RUN_DIR/env"
fi
"$root/scripts/stack" up >/dev/null

# CPU seconds used so far by the stack: catalog, gateway, nats, PostgreSQL
cpu() {
  local pm tick
  pm=$(head -1 "$(readlink -f "$IBC_RUN_DIR/pg")/postmaster.pid")
  tick=$(getconf CLK_TCK)
  python3 - "$tick" "$(cat "$IBC_RUN_DIR/catalog.pid")" "$(cat "$IBC_RUN_DIR/gateway.pid")" \
    "$(cat "$IBC_RUN_DIR/nats.pid")" "$pm" $(pgrep -P "$pm") <<'PY'
import sys
tick = int(sys.argv[1])
def cpu(pid):
    try:
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / tick
    except OSError:
        return 0.0
catalog, gateway, nats = (cpu(p) for p in sys.argv[2:5])
pg = sum(cpu(p) for p in sys.argv[5:])
print(catalog, gateway, nats, pg)
PY
}
# shellcheck disable=SC1091
. "$IBC_RUN_DIR/env"
url=$IBC_GATEWAY_URL key=$IBC_ADMIN_KEY
school=bench-$(date +%s)
for _ in $(seq 300); do  # the catalog applies its migrations on a fresh database
  curl -sf "$url/api/v1/catalog/ping" -H "Authorization: Bearer $key" >/dev/null && break
  sleep 0.2
done

now() { date +%s.%N; }
cpu0=$(cpu)
t0=$(now)
ids=()
for ((f = 0; f < files; f++)); do
  t1=$(now)
  id=$(curl -sf -X POST "$url/api/v1/catalog/imports?format=rusmarc&school=$school" \
    -H "Authorization: Bearer $key" -H "Content-Type: application/marc" \
    --data-binary @"$work/file$f.iso" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  t2=$(now)
  ids+=("$id")
  log "file $f submitted in $(python3 -c "print(round($t2 - $t1, 2))") s: import $id"
done
for id in "${ids[@]}"; do
  while :; do
    status=$(curl -sf "$url/api/v1/catalog/imports/$id" -H "Authorization: Bearer $key")
    case $(printf '%s' "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])') in
      done | failed) break ;;
    esac
    sleep 0.2
  done
  t3=$(now)
  printf '%s' "$status" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("bench: import %s %s: read %d, created %d, merged %d, failed %d, items %d, %d segments" % (
    j["id"], j["status"], j["read"], j["created"], j["merged"], j["failed"],
    j["items_created"], j.get("segments", 0)), file=sys.stderr)'
done
cpu1=$(cpu)
total=$((per_file * files))
python3 - "$t0" "$t3" "$total" "$cpu0" "$cpu1" <<'EOF'
import sys
t0, t3, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
c0, c1 = [list(map(float, a.split())) for a in sys.argv[4:6]]
d = [b - a for a, b in zip(c0, c1)]
print("MARC import: %d records in %.1f s end to end: %.0f records a second" % (n, t3 - t0, n / (t3 - t0)))
print("CPU per record: catalog %.3f ms, gateway %.3f ms, nats %.3f ms, PostgreSQL %.3f ms; "
      "total %.3f ms (a ceiling of %.0f records a second per idle core)" % (
          d[0] / n * 1e3, d[1] / n * 1e3, d[2] / n * 1e3, d[3] / n * 1e3, sum(d) / n * 1e3,
          n / sum(d)))
EOF
for id in "${ids[@]}"; do
  grep -h "\"msg\":\"import $id: .* writers read" "$IBC_RUN_DIR/logs/catalog.log" |
    sed 's/.*"msg":"\([^"]*\)".*/bench: catalog: \1/' >&2 || true
done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
