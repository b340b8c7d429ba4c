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
# Rebuilt when the lock file, this script or a source of the modeler's bundle is newer than the last build.
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt "$0" ] \
        && [ -z "$(find assets/modeler -newer "$stamp" -print -quit)" ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error --ignore-scripts  # no install scripts (swagger-ui-dist's telemetry)
rm -rf app/static/vendor
mkdir -p app/static/vendor/bpmn-js
src=node_modules/bpmn-js/dist
cp "$src/bpmn-navigated-viewer.production.min.js" app/static/vendor/bpmn-js/  # the case viewer; the modeler is bundled below
cp -r "$src/assets" app/static/vendor/bpmn-js/assets
cp node_modules/bpmn-js/LICENSE app/static/vendor/bpmn-js/LICENSE 2>/dev/null || true
# The modeler page: bpmn-js with bpmn-js-properties-panel and this project's provider and translations,
# bundled by esbuild from assets/modeler (its binary comes as an optional dependency, no install script).
node node_modules/esbuild/bin/esbuild assets/modeler/index.js --bundle --minify --format=iife --target=es2020 \
    --alias:domify=./assets/modeler/domify-csp.js --legal-comments=external --log-level=warning --outfile=app/static/vendor/modeler/modeler.js
cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css app/static/vendor/modeler/
cp node_modules/bpmn-js-properties-panel/LICENSE app/static/vendor/modeler/LICENSE.bpmn-js-properties-panel 2>/dev/null || true
mkdir -p app/static/vendor/chart.js  # the statistics page's charts: the UMD build (window.Chart), no bundler
cp node_modules/chart.js/dist/chart.umd.min.js app/static/vendor/chart.js/
cp node_modules/chart.js/LICENSE.md app/static/vendor/chart.js/LICENSE.md
mkdir -p app/static/vendor/swagger-ui  # the API's Swagger UI page (/api/docs), started by static/js/api-docs.js
src=node_modules/swagger-ui-dist
cp "$src/swagger-ui-bundle.js" "$src/swagger-ui.css" "$src/LICENSE" app/static/vendor/swagger-ui/
touch "$stamp"
echo "front-end assets copied to app/static/vendor"
