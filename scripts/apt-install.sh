#!/usr/bin/env bash
# apt-get install PACKAGE... (Debian's archive), as root or through sudo; apt-get update only when the plain
# install fails. Used by scripts/chromium.sh and scripts/cfn-lint.sh.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: apt-install.sh PACKAGE..." >&2; exit 2; }
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "apt-install.sh: run as root (or install sudo) to apt-get install $*" >&2
    exit 1
  fi
fi
apt_install() {
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}
if ! apt_install "$@" 2>/dev/null; then
  $sudo apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
  apt_install "$@"
fi
