#!/usr/bin/env bash
# Build, start and stop the pinned Ollama daemon that tests, benchmarks and
# the demo use. Nothing here touches ~/.ollama or a daemon of yours.
#
#   scripts/ollama.sh build            build it once into the cache (prints the binary path)
#                                      (SLMMUX_OLLAMA_VERSION=v0.6.5: the old daemon of the compatibility job)
#   scripts/ollama.sh start [PORT]     start it privately on PORT (default 11436; models in $SLMMUX_CACHE/models), print OLLAMA_HOST
#   scripts/ollama.sh stop             stop the one started by `start`
#
# The pin must match models/ollama/daemon.Version (a test checks it); the
# build recipe is the Go code's (models/ollama/daemon/build.go), run here.
set -euo pipefail
VERSION=v0.24.0
VERSION="${SLMMUX_OLLAMA_VERSION:-$VERSION}"
CACHE="${SLMMUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slmmux}"
BIN="$CACHE/ollama-$VERSION/bin/ollama"
STATE="$CACHE/daemon"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

build() {
  if [ ! -x "$BIN" ]; then
    (cd "$ROOT" && go run ./models/ollama/daemon/cmd/ollama-build -version "$VERSION" >/dev/null)
  fi
  echo "$BIN"
}

start() {
  local port="${1:-11436}" # not 11434 (Ollama's) nor 11435 (slmmux serve's)
  build >/dev/null
  mkdir -p "$STATE/models" "$STATE/home"
  OLLAMA_HOST="127.0.0.1:$port" OLLAMA_MODELS="$STATE/models" HOME="$STATE/home" OLLAMA_NO_CLOUD=1 \
    nohup "$BIN" serve >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/pid"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/api/version" >/dev/null 2>&1; then
      echo "OLLAMA_HOST=127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "daemon did not answer; see $STATE/server.log" >&2
  return 1
}

stop() {
  if [ -f "$STATE/pid" ]; then
    kill "$(cat "$STATE/pid")" 2>/dev/null || true
    rm -f "$STATE/pid"
  fi
}

case "${1:-}" in
  build) build ;;
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 build|start [PORT]|stop" >&2; exit 2 ;;
esac
