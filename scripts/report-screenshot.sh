#!/usr/bin/env bash
# Screenshots DIR/report.html (from `replay ... --out DIR --report`) to DIR/report.png with headless
# Chromium, 1280 px wide and HEIGHT (default 2000) px tall, for people reviewing a report.
# Installs Chromium first when it is missing (scripts/chromium.sh, needs root).
set -euo pipefail
dir="${1:?usage: scripts/report-screenshot.sh DIR   (DIR holds report.html)}"
[ -d "$dir" ] || { echo "report-screenshot.sh: $dir is not a directory" >&2; exit 1; }
html="$(cd "$dir" && pwd)/report.html"
if [ ! -f "$html" ]; then
  echo "report-screenshot.sh: $html not found (write it with: layerwatch replay --out DIR --report PATH...)" >&2
  exit 1
fi
bash "$(dirname "$0")/chromium.sh"
png="$(dirname "$html")/report.png"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
if ! chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$profile" \
    --screenshot="$png" --window-size=1280,"${HEIGHT:-2000}" "$html" >/dev/null 2>"$profile/chromium.log"; then
  cat "$profile/chromium.log" >&2
  exit 1
fi
echo "$png"
