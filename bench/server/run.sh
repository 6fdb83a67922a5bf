#!/usr/bin/env bash
# docpipe serve benchmarks: the write-ups' 10-chunk LLM case, /ingest
# throughput under wrk (16 connections, skip_llm, MiniLM-shaped model), and
# /search latency once the store holds CHUNKS chunks.
# Usage: bench/server/run.sh BUILD_DIR [CHUNKS=100000] [WORK=/tmp/docpipe-server-bench]
set -euo pipefail
build="$1"; chunks="${2:-100000}"; work="${3:-/tmp/docpipe-server-bench}"
here="$(cd "$(dirname "$0")" && pwd)"
"$here/../../scripts/setup" --bench  # wrk
mkdir -p "$work"; rm -f "$work"/kb.sqlite*
/usr/bin/python3 "$here/make_minilm_shaped.py" "$work/minilm"

echo "== the write-ups' case"
"$build/bench/server/docpipe_server_bench" llm --repeats 5

port=18004
"$build/bin/docpipe" serve --db "$work/kb.sqlite" --port $port --embed-model "$work/minilm" 2>"$work/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.2; done

echo "== /ingest under wrk: 16 connections, 10 chunks per request, skip_llm, MiniLM-shaped embedding"
wrk -t2 -c16 -d30s --latency -s "$here/wrk_ingest.lua" "http://127.0.0.1:$port" | tee "$work/wrk_ingest.txt"
requests=$(awk '/Requests\/sec/ {print $2}' "$work/wrk_ingest.txt")
echo "chunks/s: $(echo "$requests * 10" | bc)"

echo "== filling the store to $chunks chunks (lexical only; vectors for the first 20000)"
"$build/bench/server/docpipe_server_bench" fill --port $port --chunks 20000 --words 20 --batch 250
"$build/bench/server/docpipe_server_bench" fill --port $port --chunks $((chunks - 20000)) --skip-embedding
curl -s "localhost:$port/health"; echo
for mode in lexical vector; do
  for c in 1 4; do
    echo "== /search $mode, $c connection(s)"
    MODE=$mode wrk -t1 -c$c -d15s --latency -s "$here/wrk_search.lua" "http://127.0.0.1:$port" | grep -E "50%|99%|Requests/sec"
  done
done
