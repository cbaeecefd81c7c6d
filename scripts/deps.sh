#!/usr/bin/env bash
# Install the Debian packages slmmux's builds and tests use, when missing:
#   nlohmann-json3-dev, libstb-dev  header-only libraries that Ollama v0.24.0's
#                  llama.cpp includes from a vendor/ folder that Go module zips lack
#                  (needed only to build the pinned daemon: `deps.sh daemon`)
#   chromium       renders the HTML report in a headless-browser test
#   python3-torch  runs the demo-training smoke test (CPU PyTorch)
# `deps.sh daemon` installs the headers only (make demo); `deps.sh` all (make test).
# Needs root (CI runs as root). Elsewhere it prints what to install.
set -euo pipefail
missing=()
if [ "${1:-}" != daemon ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
fi
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
[ -f /usr/include/stb/stb_image.h ] || missing+=(libstb-dev)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (Debian packages, once)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "note: tests that need ${missing[*]} will skip (install: sudo apt-get install ${missing[*]})" >&2
fi
