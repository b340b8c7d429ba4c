#!/usr/bin/env bash
# Make Debian's Chromium (and a CJK font for readable screenshots) available to the browser tests.
# Never downloads a browser build of its own: Playwright is pointed at /usr/bin/chromium.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -i -E "wqy|noto sans cjk" >/dev/null || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "installing ${need[*]} from Debian's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
