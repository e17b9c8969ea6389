#!/usr/bin/env bash
# Install the Debian packages ltcdesk needs, only those that are missing.
#
#   scripts/install-system-deps.sh test   # offscreen Qt + PDF/Xvfb tools (make test)
#   scripts/install-system-deps.sh run    # offscreen Qt + X11/xcb libs   (make run)
#   scripts/install-system-deps.sh all    # union (default)
#
# As root: apt-get update + install what is missing. Otherwise: print the
# sudo command and exit 1. Silent and instant when nothing is missing.
set -euo pipefail

QT_OFFSCREEN="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core"
QT_X11="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
        libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1"
TOOLS="poppler-utils xvfb xauth"

set_name=${1:-all}
case "$set_name" in
    test) wanted="$QT_OFFSCREEN $TOOLS" ;;
    run)  wanted="$QT_OFFSCREEN $QT_X11 poppler-utils" ;;  # pdftoppm: printing on paper
    all)  wanted="$QT_OFFSCREEN $QT_X11 $TOOLS" ;;
    *) echo "usage: $0 [test|run|all]" >&2; exit 2 ;;
esac

missing=()
for pkg in $wanted; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "ltcdesk needs these system packages (missing: ${missing[*]}). Run:" >&2
    echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
