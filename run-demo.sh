#!/usr/bin/env bash
# Install what is missing, then open the main window on the bundled demo scene.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/twinviewer "$@"
