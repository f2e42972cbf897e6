#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the headless report check (ReportBrowserIT), once;
# a no-op when it is there. Needs root (or sudo) and apt. apt-get update only when the plain install fails.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "chromium.sh: run as root (or install sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi
apt_install() {
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 chromium >/dev/null
}
if ! apt_install 2>/dev/null; then
  $sudo apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
  apt_install
fi
command -v chromium >/dev/null 2>&1 || { echo "chromium.sh: chromium still missing after apt-get install" >&2; exit 1; }
