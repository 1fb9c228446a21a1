#!/usr/bin/env bash
# Regenerate every zh_Hans catalogue (one per app, plus the project's for shared templates)
# and compile them. Fill new entries by hand or with scripts/po_fill.py, then run again.
set -euo pipefail
cd "$(dirname "$0")/../src/dangjian"
admin=../../.venv/bin/django-admin
export DJANGO_SETTINGS_MODULE=dangjian.settings
apps=(core rulebook access registry party governance orglife dues transfers notices inspections recruitment rules
      recommendations recognition
      applications ledgers documents cases dashboard demo)
for app in "${apps[@]}"; do
  if [ -d "$app/locale" ]; then (cd "$app" && ../$admin makemessages -l zh_Hans --no-location -v0); fi
done
ignores=()
for app in "${apps[@]}"; do ignores+=(-i "$app"); done
$admin makemessages -l zh_Hans --no-location -v0 "${ignores[@]}"
$admin compilemessages -v0
