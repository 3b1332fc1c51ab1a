#!/usr/bin/env bash
# Install what is missing, then run lint and the whole test suite under Xvfb.
# Screenshots of key GUI states land in test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@"
