#!/usr/bin/env bash
# /v1/embeddings through the OpenAI SDK against raw HTTP, base64 against float
# (clients_bench.mjs), on a MiniLM-shaped model (384-wide vectors) and on the
# tiny test model (32-wide, where the encoder costs little and the encoding shows).
# Usage: bench/server/run_clients.sh BUILD_DIR [WORK=/tmp/docpipe-clients-bench]
set -euo pipefail
build="$1"; work="${2:-/tmp/docpipe-clients-bench}"
here="$(cd "$(dirname "$0")" && pwd)"
clients="$here/../../tests/clients"
mkdir -p "$work/npm"
cp "$clients/package.json" "$clients/package-lock.json" "$here/clients_bench.mjs" "$work/npm/"
(cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error)
[ -d "$work/minilm" ] || /usr/bin/python3 "$here/make_minilm_shaped.py" "$work/minilm"

for model in "$work/minilm" "$build/tests/embed/reference_models/bert_f32_mean_normalize"; do
  rm -f "$work"/kb.sqlite*
  "$build/bin/docpipe" serve --db "$work/kb.sqlite" --port 0 --embed-model "$model" 2>"$work/serve.log" &
  pid=$!
  trap 'kill -TERM $pid 2>/dev/null || true' EXIT
  deadline=$((SECONDS + 60))
  until grep -q 'listening on' "$work/serve.log"; do
    [ $SECONDS -lt $deadline ] || { cat "$work/serve.log"; exit 1; }
    sleep 0.2
  done
  base=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | tail -1)
  echo "== $(basename "$model")"
  node "$work/npm/clients_bench.mjs" "$base" "$(basename "$model")" 64 "${SECONDS_PER_ROW:-10}"
  kill -TERM $pid; wait $pid || true
done
