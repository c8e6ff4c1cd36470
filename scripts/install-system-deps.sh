#!/bin/sh
# System packages: for the x11 software, an X server without a screen (xvfb), the programs it
# drives (xterm; xcalc and xeyes from x11-apps) and the core bitmap fonts they draw with
# (xfonts-base: 6x10, fixed); for the web UI's tests, a browser (chromium) that Playwright drives;
# for a compiled step (`compile_step`), the C++ compiler TorchInductor builds CPU kernels with (g++).
# Debian/Ubuntu only. Idempotent: installs only what is missing.
set -eu

PACKAGES="xvfb xterm x11-apps xfonts-base chromium g++"

missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -z "$missing" ]; then
    echo "system dependencies present:$(printf ' %s' $PACKAGES)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing:$missing; install them with your package manager (this script knows apt only)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "missing:$missing; run this script as root" >&2; exit 1; }
    SUDO="sudo"
fi
echo "installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086  # one word per package
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
