#!/usr/bin/env bash
# Install the named Debian packages (through sudo when not root); the set-up scripts call this
# with only what they found missing.
set -euo pipefail
[ $# -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "installing $* from Debian's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@"
