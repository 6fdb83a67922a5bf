#!/usr/bin/env bash
# Shards add up: the same folder of real PDFs ingested into PostgreSQL by the
# example job array (examples/slurm/ingest_array.sbatch) with 2 tasks of 1 CPU
# each, against 1 task of 1 CPU, on a single-host SLURM cluster started here
# (as the SLURM test does, tests/integration/slurm/single_host_cluster.sh:
# each task is bound to the CPU it was given). Prints the wall time of each
# array (submission to end), each task's own report line, the PostgreSQL
# server's CPU time, and the ratio (issue 18's target: >= 1.7x). The server
# runs on the same machine, unconfined, sharing its cores with the tasks; the
# script prints how many. Rounds alternate 1 task and 2 tasks; the last line
# is the median ratio. Runs as root (the SLURM daemons), needs scripts/setup's
# cluster packages.
#
#   bench/fetch_real_pdfs.sh /tmp/pdfs texlive-latex-recommended-doc texlive-humanities-doc
#   bench/slurm/array_scaling.sh build/bin/docpipe /tmp/pdfs/texlive-latex-recommended-doc [--rounds 3] [-- FLAGS]
#
# FLAGS go to every task's `docpipe ingest`. Task K of N takes the PDFs whose
# path below the folder hashes to K, so the shares differ in pages: the script
# prints each share's pages, which bound the ratio (total / larger share).
set -euo pipefail
usage="usage: array_scaling.sh DOCPIPE_BINARY PDF_DIR [--rounds R] [-- FLAGS]"
docpipe=$(realpath "${1:?$usage}")
corpus=$(realpath "${2:?$usage}")
shift 2
rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
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
postmaster=$(head -1 "$(cat "$work/pg/root")/data/postmaster.pid")
start_single_host_cluster "$work/cluster"

# CPU seconds of the PostgreSQL server: its processes now, and the backends
# that have ended (their time is in the postmaster's children's time).
server_cpu() {
  local ticks=0 pid
  for pid in $postmaster $(pgrep -P "$postmaster"); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  ticks=$((ticks + $(awk '{print $16 + $17}' "/proc/$postmaster/stat")))
  echo "$ticks / $(getconf CLK_TCK)" | bc -l
}

export DOCPIPE="$docpipe"
# Seconds from submission to the end of the whole array, into a fresh database.
run_array() {
  local tasks=$1 round=$2 name=docpipe_array_bench_$1_$2
  shift 2
  psql -q "$base_url" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  local url
  url=$(echo "$base_url" | sed "s|/postgres?|/$name?|")
  local start end cpu
  cpu=$(server_cpu)
  start=$(date +%s.%N)
  # run_job polls every 0.2 s: `sbatch --wait` rounded both arrays' times to its own polling interval.
  run_job --array=0-$((tasks - 1)) --cpus-per-task=1 -o "$work/out-$tasks-$round-%a.txt" \
    "$source_dir/examples/slurm/ingest_array.sbatch" "$corpus" "$url" "$@" ||
    { cat "$work"/out-"$tasks"-"$round"-*.txt >&2; exit 1; }
  end=$(date +%s.%N)
  cpu=$(echo "$(server_cpu) - $cpu" | bc -l)
  local stored
  stored=$(psql -qAt "$url" -c "SELECT count(*) FROM documents")
  [ "$stored" -eq "$documents" ] || { echo "expected $documents documents, found $stored" >&2; exit 1; }
  for out in "$work"/out-"$tasks"-"$round"-*.txt; do
    local task=${out##*-}
    echo "  task ${task%.txt}: $(grep -h '^wall time' "$out"); $(grep -h '^documents' "$out" | grep -o '[0-9]* pages.*')" >&2
  done
  printf '  server CPU %.1f s\n' "$cpu" >&2
  echo "$end - $start" | bc
}

documents=$(find "$corpus" -name '*.pdf' | wc -l)
echo "corpus: $corpus, $documents PDFs"
if command -v pdfinfo >/dev/null; then
  # Pages of each task's share of 2 (the same hash as docpipe's --shard, docs/ingest.md).
  find "$corpus" -name '*.pdf' -printf '%P\n' | while read -r path; do
    echo "$(printf '%s' "$path" | sha256sum | cut -c1-16) $(pdfinfo "$corpus/$path" 2>/dev/null | awk '/^Pages:/ {print $2}')"
  done | /usr/bin/python3 -c '
import sys
shares = [0, 0]
for line in sys.stdin:
    digest, *pages = line.split()
    shares[int(digest, 16) % 2] += int(pages[0]) if pages else 0
total = sum(shares)
print("pages: %d; task 0 of 2 has %d, task 1 has %d: the larger share bounds the ratio at %.2fx" %
      (total, shares[0], shares[1], total / max(shares)))'
fi
echo "machine: $(nproc) cores; each task bound to its 1 CPU; the PostgreSQL server unbound on the same $(nproc) cores"
ratios=()
for round in $(seq "$rounds"); do
  one=$(run_array 1 "$round" "$@")
  two=$(run_array 2 "$round" "$@")
  ratio=$(echo "$one / $two" | bc -l)
  ratios+=("$ratio")
  printf 'round %d: 1 task x 1 CPU %.1f s, 2 tasks x 1 CPU %.1f s: %.2fx (target 1.7x)\n' "$round" "$one" "$two" "$ratio"
done
printf 'median over %d rounds: %.2fx\n' "$rounds" "$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
