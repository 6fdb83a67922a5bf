#!/usr/bin/env bash
# A real single-host SLURM cluster (munge, slurmctld, slurmd) runs the example
# job array (examples/slurm/) with 2 tasks into the test PostgreSQL server, then
# the finalize job; the store must equal a single-process ingest of the same
# inputs, row for row. Then one task is cancelled with scancel while it runs,
# submitted again on its own, and the store checked again. Every daemon this
# test starts is stopped at the end.
#   slurm_array_test.sh DOCPIPE_BINARY SOURCE_DIR PG_URL_FILE WORK_DIR
set -euo pipefail
docpipe=$(realpath "$1")
source_dir=$(realpath "$2")
base_url=$(cat "$3")
work=$4

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v psql >/dev/null || fail "psql is missing: run scripts/setup"
# shellcheck source=single_host_cluster.sh
source "$(dirname "$0")/single_host_cluster.sh"

rm -rf "$work"
mkdir -p "$work"/{out,corpus}
trap stop_single_host_cluster EXIT
start_single_host_cluster "$work"

# The corpus: the bundled example PDFs and enough generated text documents
# that a task runs for a few seconds.
cp "$source_dir"/examples/*.pdf "$work/corpus/"
/usr/bin/python3 - "$work/corpus" <<'PY'
import os, random, sys
root = sys.argv[1]
words = ("ingest shard cluster store chunk vector index search task array worker page "
         "table figure section result method data model query token batch").split()
rng = random.Random(7)
for i in range(1500):
    sub = os.path.join(root, "notes", "part%d" % (i % 7))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "note%04d.txt" % i), "w") as f:
        f.write("Note %d\n\n" % i)
        for _ in range(3):
            f.write(" ".join(rng.choice(words) for _ in range(60)) + ".\n\n")
PY

database_url() { echo "$base_url" | sed "s|/postgres?|/$1?|"; }
fresh_database() {
  psql -q "$base_url" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  database_url "$1"
}
# Everything a store holds that must not depend on how it was filled.
dump() {
  psql -qAt "$1" -c "SELECT d.path, d.sha256, d.status, c.ordinal, md5(c.text), c.page_start, c.page_end
                     FROM documents d LEFT JOIN chunks c ON c.document_id = d.id ORDER BY 1, 4" |
    sed "s|$work/corpus/||"
}

reference=$(fresh_database docpipe_slurm_reference)
"$docpipe" ingest "$work/corpus" --db "$reference" --workers 2 >/dev/null 2>&1 ||
  [ $? -eq 1 ] || fail "the single-process ingest failed"
dump "$reference" >"$work/reference.txt"
[ "$(wc -l <"$work/reference.txt")" -gt 1500 ] || fail "the reference store is nearly empty"

export DOCPIPE="$docpipe"
# 1. The example array job, then the finalize job, as a user would run them.
array=$(fresh_database docpipe_slurm_array)
run_job --array=0-1 --cpus-per-task=1 -o "$work/out/array-%a.txt" \
  "$source_dir/examples/slurm/ingest_array.sbatch" "$work/corpus" "$array" ||
  { cat "$work"/out/*.txt >&2; fail "the array job failed"; }
run_job -o "$work/out/finalize.txt" "$source_dir/examples/slurm/finalize.sbatch" "$array" ||
  { cat "$work/out/finalize.txt" >&2; fail "the finalize job failed"; }
dump "$array" >"$work/array.txt"
diff -q "$work/reference.txt" "$work/array.txt" >/dev/null ||
  { diff "$work/reference.txt" "$work/array.txt" | head -20 >&2; fail "the 2-task array store differs from one process"; }
runs=$(psql -qAt "$array" -c "SELECT count(*) FROM runs WHERE config->>'shard' IN ('0/2', '1/2')")
[ "$runs" -eq 2 ] || fail "expected the two shards' runs in the store, found $runs"

# 2. One task cancelled while it runs, then submitted again on its own. The documents table is
# held locked while the tasks start, so no task can finish before the cancel, however fast the
# machine (a cancel timed by polling raced a release build that ingested its shard in a second).
resumed=$(fresh_database docpipe_slurm_resumed)
mkdir -p "$work/empty"
"$docpipe" ingest "$work/empty" --db "$resumed" >/dev/null 2>&1 || [ $? -eq 1 ] ||
  fail "could not create the store's tables"
lock_held() {
  psql -qAt "$resumed" -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                           WHERE c.relname = 'documents' AND l.mode = 'AccessExclusiveLock' AND l.granted"
}
PGAPPNAME=slurm_test_lock psql -q "$resumed" \
  -c "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600); COMMIT" >/dev/null 2>&1 &
locker=$!
release_lock() {
  psql -qAt "$resumed" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                           WHERE application_name = 'slurm_test_lock'" >/dev/null
  wait "$locker" 2>/dev/null || true
}
for _ in $(seq 100); do [ "$(lock_held)" -eq 1 ] && break; sleep 0.1; done
[ "$(lock_held)" -eq 1 ] || fail "could not lock the documents table"
job=$(sbatch --parsable --array=0-1 --cpus-per-task=1 -o "$work/out/cancel-%a.txt" \
  "$source_dir/examples/slurm/ingest_array.sbatch" "$work/corpus" "$resumed" --batch 1)
# Task 1's docpipe process, once it runs, and whether it has its SIGTERM handler yet (SigCgt
# bit 15): then it is inside the run, held at its first look into the locked table.
task1_pid() {
  local pid
  for pid in $(pgrep -x docpipe); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_ARRAY_JOB_ID=$job" &&
      tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_ARRAY_TASK_ID=1" && echo "$pid" && return
  done
  return 0
}
catches_sigterm() {
  local mask
  mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  [ -n "$mask" ] && (((16#$mask >> 14) & 1))
}
cancelled=""
for _ in $(seq 1200); do
  pid=$(task1_pid)
  if [ -n "$pid" ] && catches_sigterm "$pid"; then
    # The task runs bound to the one CPU it was given (the cluster's task/affinity).
    task1_cpus=$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$pid/status")
    scancel "${job}_1"
    cancelled=1
    break
  fi
  sleep 0.1
done
sleep 1
release_lock
[ -n "$cancelled" ] || fail "task 1 never ran"
[[ "$task1_cpus" =~ ^[0-9]+$ ]] || fail "task 1 (1 CPU) could run on CPUs $task1_cpus"
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
# scancel sends SIGTERM: docpipe stops like Ctrl-C, keeping what it converted, and says so.
grep -q "docpipe ingest: cancelled" "$work/out/cancel-1.txt" ||
  { cat "$work/out/cancel-1.txt" >&2; fail "the cancelled task did not stop cleanly on SIGTERM"; }
partial=$(psql -qAt "$resumed" -c "SELECT count(*) FROM documents")
[ "$partial" -lt "$(psql -qAt "$reference" -c "SELECT count(*) FROM documents")" ] ||
  fail "the cancelled task had already stored everything"
DOCPIPE_SHARD=1/2 run_job --export=ALL -o "$work/out/resubmit.txt" \
  "$source_dir/examples/slurm/ingest_array.sbatch" "$work/corpus" "$resumed" ||
  { cat "$work/out/resubmit.txt" >&2; fail "the resubmitted task failed"; }
dump "$resumed" >"$work/resumed.txt"
diff -q "$work/reference.txt" "$work/resumed.txt" >/dev/null ||
  { diff "$work/reference.txt" "$work/resumed.txt" | head -20 >&2; fail "the resumed store differs from one process"; }
echo "SLURM array ingest: 2 tasks and a cancelled-then-resubmitted task equal a single-process ingest"
