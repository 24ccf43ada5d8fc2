#!/usr/bin/env bash
# Benchmark: the per-generation overhead of each plugin runtime (exec, bwrap,
# oci) and of the whole pipeline, with a trivial plugin (tests/tools/testplugin
# writes one small file per .proto), so the figures are remotegen's and the
# sandbox's own cost, not the plugin's.
#   bash tests/bench/runtimes.sh [GENERATIONS]      (default 40 per runtime)
# Needs: make remotegen tools; podman for the oci line (skipped without it).
# Prints, per runtime: mean and median plugin time per generation (from the
# database), and the wall time of `remotegen run --once --workers 1`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-40}
RG="$ROOT/build/rel/remotegen"
TP="$ROOT/build/rel/tests/tools/testplugin"
[ -x "$RG" ] && [ -x "$TP" ] || { echo "build first: make remotegen tools" >&2; exit 2; }
W=$(mktemp -d /tmp/remotegen-bench.XXXXXX)
chmod 755 "$W"
. "$ROOT/ops/pg.sh"
trap 'pg_stop "$W/pg"; rm -rf "$W"' EXIT
pg_start "$W/pg" >/dev/null
export REMOTEGEN_OCI_ARGS="--runtime runc --cgroup-manager=cgroupfs"

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "command: bash tests/bench/runtimes.sh $N"
printf '%-8s %6s %12s %14s %12s\n' runtime gens "mean_ms" "median_ms" "wall_s"

runtimes="exec bwrap"
if command -v podman >/dev/null; then
  mkdir -p "$W/img"
  cp "$ROOT/build/rel/tests/tools/testplugin-static" "$W/img/plugin"
  tar -C "$W/img" -cf "$W/img.tar" plugin
  podman $REMOTEGEN_OCI_ARGS import --change 'ENTRYPOINT ["/plugin"]' "$W/img.tar" localhost/remotegen-bench/testplugin:1 >/dev/null 2>&1 && runtimes="$runtimes oci"
fi

for rt in $runtimes; do
  db="bench_$rt"
  createdb "$db"
  export REMOTEGEN_DATABASE_URL="host=127.0.0.1 port=$PGPORT user=postgres dbname=$db"
  export REMOTEGEN_STORE="file://$W/store-$rt"
  "$RG" migrate >/dev/null 2>&1
  if [ "$rt" = oci ]; then
    "$RG" plugin add bench/plugin v1 --image localhost/remotegen-bench/testplugin:1 >/dev/null
  else
    "$RG" plugin add bench/plugin v1 --exec "$TP" --runtime "$rt" >/dev/null
  fi
  "$RG" template create bench/t --plugin bench/plugin >/dev/null
  "$RG" template version bench/t --plugin bench/plugin:v1 >/dev/null
  # N modules, one commit each: N generations.
  for i in $(seq 1 "$N"); do
    "$RG" module push "bench/m$i" "$ROOT/ops/example" >/dev/null 2>&1
  done
  start=$(date +%s.%N)
  "$RG" run --once --workers 1 2>/dev/null
  end=$(date +%s.%N)
  read -r gens mean median < <(psql -At -F ' ' -d "$db" -c \
    "SELECT count(*), round(avg(plugin_ms), 1), percentile_cont(0.5) WITHIN GROUP (ORDER BY plugin_ms)
     FROM generations WHERE state = 'published'")
  printf '%-8s %6s %12s %14s %12.2f\n' "$rt" "$gens" "$mean" "$median" "$(echo "$end - $start" | bc)"
done
if [ "${runtimes#*oci}" != "$runtimes" ]; then
  podman $REMOTEGEN_OCI_ARGS rmi -f localhost/remotegen-bench/testplugin:1 >/dev/null 2>&1 || true
fi
