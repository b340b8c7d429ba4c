#!/usr/bin/env bash
# Re-extract the page texts, merge them into the Chinese catalog, and compile it (the .mo is committed).
# Fill the new empty msgstr entries of app/translations/zh/LC_MESSAGES/messages.po, then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o app/translations/messages.pot . 2>/dev/null >/dev/null
if [ -f app/translations/zh/LC_MESSAGES/messages.po ]; then
    $BIN/pybabel update -i app/translations/messages.pot -d app/translations -l zh --no-fuzzy-matching --ignore-obsolete 2>/dev/null >/dev/null
else
    $BIN/pybabel init -i app/translations/messages.pot -d app/translations -l zh 2>/dev/null >/dev/null
fi
$BIN/pybabel compile -d app/translations -l zh --statistics
