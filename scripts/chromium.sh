#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the headless report check (ReportBrowserIT), once;
# a no-op when it is there. Needs root (or sudo) and apt (scripts/apt-install.sh).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" chromium
command -v chromium >/dev/null 2>&1 || { echo "chromium.sh: chromium still missing after apt-get install" >&2; exit 1; }
