#!/usr/bin/env bash
# Install what is missing, then run lint and the whole test suite under Xvfb.
# Screenshots of key GUI states land in test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
# Without test paths the GUI tests (tests/ui) run in a pytest process of their own: one
# process that had already opened several hundred VTK windows died now and then of a
# native SIGSEGV in them (docs/architecture.md, "Tests").
pytest_under_xvfb() {
  rm -f test-artifacts/running-test.txt
  local rc=0
  xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@" || rc=$?
  if [ "$rc" -gt 128 ] && [ -f test-artifacts/running-test.txt ]; then
    echo "pytest died of signal $((rc - 128)) in: $(cat test-artifacts/running-test.txt)" >&2
  fi
  return "$rc"
}
for arg in "$@"; do
  case "$arg" in -*) ;; *) exec_one=1 ;; esac
done
if [ -n "${exec_one:-}" ]; then
  pytest_under_xvfb "$@"
else
  rc=0
  pytest_under_xvfb --ignore=tests/ui "$@" || rc=$?
  pytest_under_xvfb tests/ui "$@" || { r=$?; [ "$rc" -ne 0 ] || rc=$r; }
  exit "$rc"
fi
