#!/usr/bin/env bash
# Install the Debian packages slmmux's builds and tests use, when missing:
#   chromium       renders the HTML report in a headless-browser test
#   python3-torch  runs the demo-training smoke test (CPU PyTorch)
# make test calls it; the demo and the daemon build need none of them.
# Needs root (CI runs as root). Elsewhere it prints what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (Debian packages, once)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "note: tests that need ${missing[*]} will skip (install: sudo apt-get install ${missing[*]})" >&2
fi
