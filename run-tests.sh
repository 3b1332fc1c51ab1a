#!/usr/bin/env bash
# Install what is missing, then run lint and the whole test suite under Xvfb.
# Screenshots of key GUI states land in test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
# When pytest dies of a signal, name the test it died in (tests/conftest.py writes it)
rm -f test-artifacts/running-test.txt
rc=0
xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@" || rc=$?
if [ "$rc" -gt 128 ] && [ -f test-artifacts/running-test.txt ]; then
  echo "pytest died of signal $((rc - 128)) in: $(cat test-artifacts/running-test.txt)" >&2
fi
exit "$rc"
