#!/usr/bin/env bash
# Installs what katalog needs to build and test on Debian: libclang (Oxigraph's RocksDB
# bindings are generated with it), a C++ compiler, Python with venv for the client tests, and
# Debian's Chromium with its WebDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the
# browser tests (tests/python/browser_*.py), and npm for the browser-side packages
# (package-lock.json: the vendored editor, and axe-core for the accessibility checks).
set -euo pipefail
need=()
dpkg -s libclang-dev >/dev/null 2>&1 || need+=(libclang-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The test script formats and lints: make sure the toolchain has rustfmt and clippy.
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi
