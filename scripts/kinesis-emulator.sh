#!/usr/bin/env bash
# Installs the Kinesis emulator the tests run against (npm kinesis-local, pinned) into .tools/,
# once; later runs reuse it. Maven runs this before the integration tests (exec-maven-plugin, pre-integration-test).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/kinesis-local"
version="0.6.2"
if [ -f "$dir/node_modules/kinesis-local/main.js" ] && grep -Eq "\"version\" *: *\"$version\"" "$dir/node_modules/kinesis-local/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "kinesis-emulator.sh: npm is needed to install the Kinesis emulator (apt-get install nodejs npm)" >&2
  exit 1
fi
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"layerwatch-test-tools","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error "kinesis-local@$version" >&2
test -f "$dir/node_modules/kinesis-local/main.js"
