#!/usr/bin/env bash
# Make Debian's Chromium (and a CJK font for readable screenshots) available to the browser tests.
# Never downloads a browser build of its own: Playwright is pointed at /usr/bin/chromium.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -i -E "wqy|noto sans cjk" >/dev/null || need+=(fonts-wqy-zenhei)
bash "$(dirname "$0")/apt-install.sh" ${need[@]+"${need[@]}"}
