#!/usr/bin/env bash
# Build a wheel, install it into a fresh virtual environment outside the checkout and run
# `twinviewer info` and `twinviewer render` there, from another folder, with an empty data
# folder: the assets must come with the package and the demo must be generated (issue 12).
# Usage: scripts/check_wheel.sh [PYTHON]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${1:-.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/twinviewer-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
quiet() {  # pip is chatty about its index locations: show its output only when it fails
  "$@" >"$work/log" 2>&1 || { cat "$work/log"; echo "wheel check: failed: $*" >&2; exit 1; }
}
quiet "$py" -m pip wheel -q --no-deps -w "$work/dist" .
quiet "$py" -m venv "$work/venv"
quiet "$work/venv/bin/pip" install -q --no-compile "$work/dist"/twinviewer-*.whl  # no .pyc: faster
mkdir "$work/elsewhere"
cd "$work/elsewhere"
export XDG_DATA_HOME="$work/data" TWINVIEWER_LANG=en
"$work/venv/bin/python" - <<'PY'
import twinviewer, twinviewer.io.assets as a
assert "site-packages" in twinviewer.__file__, twinviewer.__file__
assert (a.assets_dir() / "lamp_post.obj").is_file(), a.assets_dir()
PY
env -u DISPLAY "$work/venv/bin/twinviewer" info
test -f "$XDG_DATA_HOME/twinviewer/demo/scene.toml"
env -u DISPLAY "$work/venv/bin/twinviewer" render --out "$work/demo.png" --size 640x400
test -s "$work/demo.png"
echo "wheel check: ok ($((SECONDS - start)) s, clean-up follows)"
