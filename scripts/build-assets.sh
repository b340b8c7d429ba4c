#!/usr/bin/env bash
# Install the pinned front-end packages (npm ci) and copy the files the pages load into app/static/vendor.
# Idempotent; run by `make setup`. Installs Node.js from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi

stamp=app/static/vendor/.stamp
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt "$0" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error --ignore-scripts  # no install scripts (swagger-ui-dist's telemetry)
rm -rf app/static/vendor
mkdir -p app/static/vendor/bpmn-js
src=node_modules/bpmn-js/dist
cp "$src/bpmn-modeler.production.min.js" "$src/bpmn-navigated-viewer.production.min.js" app/static/vendor/bpmn-js/
cp -r "$src/assets" app/static/vendor/bpmn-js/assets
cp node_modules/bpmn-js/LICENSE app/static/vendor/bpmn-js/LICENSE 2>/dev/null || true
mkdir -p app/static/vendor/chart.js  # the statistics page's charts: the UMD build (window.Chart), no bundler
cp node_modules/chart.js/dist/chart.umd.min.js app/static/vendor/chart.js/
cp node_modules/chart.js/LICENSE.md app/static/vendor/chart.js/LICENSE.md
mkdir -p app/static/vendor/swagger-ui  # the API's Swagger UI page (/api/docs), started by static/js/api-docs.js
src=node_modules/swagger-ui-dist
cp "$src/swagger-ui-bundle.js" "$src/swagger-ui.css" "$src/LICENSE" app/static/vendor/swagger-ui/
touch "$stamp"
echo "front-end assets copied to app/static/vendor"
