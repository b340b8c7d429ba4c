#!/usr/bin/env bash
# Make the system libraries WeasyPrint needs (Pango) and a CJK font available, for the PDF of the
# judicial-confirmation package. Installs from Debian's packages, and only what is missing.
set -euo pipefail
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)  # not on a normal user's PATH
# grep without -q: with pipefail, a grep that stops early makes the listing die of SIGPIPE, a false "missing".
need=()
"$LDCONFIG" -p 2>/dev/null | grep "libpango-1.0.so.0" >/dev/null || need+=(libpango-1.0-0)
"$LDCONFIG" -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null || need+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -i -E "wqy|noto sans cjk" >/dev/null || need+=(fonts-wqy-zenhei)
bash "$(dirname "$0")/apt-install.sh" ${need[@]+"${need[@]}"}
