#!/usr/bin/env bash
# Search latency and index recall over a synthetic store of N chunks with
# MiniLM-shaped 384-d vectors:
#   bench/search/run_search_bench.sh BUILD_DIR [CHUNKS] [WORK_DIR]
# Writes a random MiniLM-L6-shaped model folder (queries are embedded by it),
# a store of CHUNKS synthetic chunks (default 100000), then runs
# `docpipe bench search` (which builds the HNSW index on first use).
set -euo pipefail
build=$(cd "${1:?usage: run_search_bench.sh BUILD_DIR [CHUNKS] [WORK_DIR]}" && pwd)
chunks=${2:-100000}
work=${3:-$build/bench/search/work}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
/usr/bin/python3 - "$here/../embed" "$work/minilm_l6_shaped" <<'PY'
import sys
sys.argv = [sys.argv[0], "--bench", "unused"] + sys.argv[1:]
sys.path.insert(0, sys.argv[3])
import compare_with_torch as c
shape = c.SHAPES["minilm_l6_shaped"]
c.write_model(sys.argv[4], shape["kind"], shape["cfg"])
PY
store="$work/search_${chunks}.sqlite"
if [ ! -f "$store" ]; then
  "$build/bin/docpipe_make_search_store" --model "$work/minilm_l6_shaped" --out "$store" --chunks "$chunks"
fi
# The stored vectors are synthetic, not the model's: query the vector side by example.
"$build/bin/docpipe" bench search --db "$store" --count 200 -k 10 --by-example
