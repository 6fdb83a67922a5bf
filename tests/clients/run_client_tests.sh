#!/usr/bin/env bash
# Starts two `docpipe serve` processes on a tiny generated model and runs the
# npm clients against them (clients_test.mjs), then checks a /metrics scrape
# taken after that traffic with promtool.
#   run_client_tests.sh DOCPIPE_BINARY MODEL_FOLDER WORK_DIR
# Installs the locked npm packages (npm ci) into WORK_DIR when the lockfile
# changed since the last install; installs Debian's nodejs/npm when node is missing.
set -euo pipefail
docpipe=$1 model=$2 work=$3
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
command -v promtool >/dev/null || { echo "promtool is missing: run scripts/setup (Debian package prometheus)" >&2; exit 1; }

mkdir -p "$work/npm"
cp "$here"/package.json "$here"/package-lock.json "$here"/*.mjs "$work/npm/"
if ! cmp -s "$here/package-lock.json" "$work/npm/node_modules/.installed-lock.json"; then
  (cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/npm/node_modules/.installed-lock.json"
fi

# The same weights twice: one folder that says it is Matryoshka-trained, one that does not.
rm -rf "$work/models" "$work"/*.sqlite* "$work"/*.log
mkdir -p "$work/models"
cp -r "$model" "$work/models/tiny-matryoshka"
echo '{"matryoshka_dimensions": [32, 16, 8]}' >"$work/models/tiny-matryoshka/config_sentence_transformers.json"
cp -r "$model" "$work/models/tiny-plain"

pids=()
stop_servers() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap stop_servers EXIT

# Starts a server in the background and sets `url` to its base URL once it listens (30 s deadline).
start_server() {
  local name=$1; shift
  "$docpipe" serve --db "$work/$name.sqlite" --port 0 "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  local deadline=$((SECONDS + 30)) line=""
  until line=$(grep -o 'listening on http://[0-9.:]*' "$work/$name.log"); do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "docpipe serve ($name) did not start:" >&2; cat "$work/$name.log" >&2; exit 1
    fi
    sleep 0.1
  done
  url=${line#listening on }
}

key=client-test-key
start_server openai --embed-model "$work/models/tiny-matryoshka" --api-key "$key" --host 127.0.0.1
openai_base=$url
start_server plain --embed-model "$work/models/tiny-plain"
plain_base=$url

OPENAI_BASE=$openai_base PLAIN_BASE=$plain_base API_KEY=$key MODEL_NAME=tiny-matryoshka PLAIN_MODEL_NAME=tiny-plain \
  DOCPIPE=$docpipe MODEL_DIR="$work/models/tiny-matryoshka" node "$work/npm/clients_test.mjs"

for server in openai plain; do
  base=$openai_base
  auth=(-H "Authorization: Bearer $key")
  if [ $server = plain ]; then base=$plain_base; auth=(); fi
  curl -sf "${auth[@]}" "$base/metrics" >"$work/$server.metrics"
  grep -q 'route="/v1/embeddings"' "$work/openai.metrics"
  promtool check metrics <"$work/$server.metrics"
  echo "PASS | promtool | check metrics over the $server server's scrape"
done
