#!/usr/bin/env bash
# Shards add up: the same corpus ingested into PostgreSQL by the example job
# array (examples/slurm/ingest_array.sbatch) with 2 tasks of 1 CPU each,
# against 1 task of 1 CPU, on a single-host SLURM cluster started here (as the
# SLURM test does, tests/integration/slurm/single_host_cluster.sh). Prints the
# wall time of each job (sbatch --wait, submission to end) and the ratio
# (issue 18's target: >= 1.7x). The PostgreSQL server runs on the same
# machine and shares its cores with the tasks; the script prints how many.
# Runs as root (the SLURM daemons), needs scripts/setup's cluster packages.
#
#   bench/slurm/array_scaling.sh build/bin/docpipe [--notes 4000] [--rounds 1] [-- EXTRA INGEST FLAGS]
set -euo pipefail
docpipe=$(realpath "${1:?usage: array_scaling.sh DOCPIPE_BINARY [--notes N] [--rounds R] [-- FLAGS]}")
shift
notes=4000
rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --notes) notes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/docpipe-array-bench-XXXXXX")
# shellcheck source=../../tests/integration/slurm/single_host_cluster.sh
source "$source_dir/tests/integration/slurm/single_host_cluster.sh"
finish() {
  stop_single_host_cluster
  "$source_dir/scripts/pg_test_server" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap finish EXIT

"$source_dir/scripts/pg_test_server" start "$work/pg" --durable >/dev/null
base_url=$(cat "$work/pg/url")
start_single_host_cluster "$work/cluster"

# Prose-sized text documents: conversion, chunking and the server's full-text
# work all take a share, as with real inputs.
/usr/bin/python3 - "$work/corpus" "$notes" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(11)
vocabulary = ["w%dx%s" % (i, "ing" if i % 7 == 0 else "ed") for i in range(20000)]
weights = [1.0 / (i + 1) ** 1.07 for i in range(len(vocabulary))]
for i in range(count):
    folder = os.path.join(root, "part%d" % (i % 16))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "note%05d.md" % i), "w") as f:
        f.write("# Note %d\n\n" % i)
        for _ in range(6):
            f.write(" ".join(rng.choices(vocabulary, weights, k=120)) + ".\n\n")
PY

export DOCPIPE="$docpipe"
# Seconds from submission to the end of the whole array, into a fresh database.
run_array() {
  local tasks=$1 round=$2 name=docpipe_array_bench_$1_$2
  shift 2
  psql -q "$base_url" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  local url
  url=$(echo "$base_url" | sed "s|/postgres?|/$name?|")
  local start end
  start=$(date +%s.%N)
  # Polled every 0.2 s rather than with `sbatch --wait`, whose own polling
  # interval grows to seconds and rounded both arrays' times to the same value.
  local job
  job=$(sbatch --parsable --array=0-$((tasks - 1)) --cpus-per-task=1 -o "$work/out-$tasks-$round-%a.txt" \
    "$source_dir/examples/slurm/ingest_array.sbatch" "$work/corpus" "$url" "$@") ||
    { cat "$work"/out-"$tasks"-"$round"-*.txt >&2; exit 1; }
  while squeue -h -j "${job%%;*}" 2>/dev/null | grep -q .; do sleep 0.2; done
  end=$(date +%s.%N)
  local stored
  stored=$(psql -qAt "$url" -c "SELECT count(*) FROM documents")
  [ "$stored" -eq "$notes" ] || { echo "expected $notes documents, found $stored" >&2; exit 1; }
  echo "$end - $start" | bc
}

echo "corpus: $notes documents; machine: $(nproc) cores, shared by the tasks and the PostgreSQL server"
for round in $(seq "$rounds"); do
  one=$(run_array 1 "$round" "$@")
  two=$(run_array 2 "$round" "$@")
  printf 'round %d: 1 task x 1 CPU %.1f s, 2 tasks x 1 CPU %.1f s: %.2fx (target 1.7x)\n' \
    "$round" "$one" "$two" "$(echo "$one / $two" | bc -l)"
done
