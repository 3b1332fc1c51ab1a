"""Refresh ``twinviewer_zh_CN.ts`` from the sources and compile it.

Run ``python -m twinviewer.i18n.build`` after adding or changing a ``tr()`` or
``translate(context, text)`` string (widgets, CLI help, ``LoadError``/``StoreError`` texts):
``lupdate`` adds new strings to the ``.ts`` as *unfinished* (translate them in Qt
Linguist, ``PySide6/linguist``, or by editing the XML) and keeps the existing
translations; ``lrelease`` then compiles the ``.qm`` (into ``--qm`` or the cache).
``--check`` only reports how many strings lack a translation (exit 1 when any).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from twinviewer.i18n import HERE, cache_dir, compile_qm, qt_tool, ts_file

SOURCES = HERE.parent  # the whole package: ui/ (tr()), cli.py, io/, store/ (translate())


def source_files() -> list[Path]:
    """Every Python file whose ``tr()`` / ``translate()`` strings are translated."""
    return sorted(SOURCES.rglob("*.py"))


def run_lupdate(ts: Path, sources: list[Path] | None = None) -> str:
    """Merge the ``tr()`` strings of ``sources`` into ``ts`` (created when missing)."""
    tool = qt_tool("lupdate")
    if tool is None:
        raise RuntimeError("lupdate not found (it ships with PySide6-Essentials)")
    files = [str(p) for p in (sources or source_files())]
    proc = subprocess.run([tool, "-no-obsolete", "-locations", "none", *files, "-ts", str(ts),
                           "-target-language", "zh_CN"],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"lupdate failed: {proc.stderr.strip()}")
    return proc.stdout


def unfinished(ts: Path) -> list[tuple[str, str]]:
    """``(context, source)`` of every message without a finished translation."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for msg in context.iter("message"):
            tr = msg.find("translation")
            kind = tr.get("type") if tr is not None else "unfinished"
            if kind in ("vanished", "obsolete"):
                continue
            empty = tr is None or not ("".join(tr.itertext()).strip())
            if kind == "unfinished" or empty:
                out.append((name, msg.findtext("source", "")))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twinviewer.i18n.build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only count untranslated strings (exit 1 when any)")
    parser.add_argument("--qm", type=Path, default=None, help="where to write the .qm")
    args = parser.parse_args(argv)
    ts = ts_file("zh_CN")
    print(run_lupdate(ts).strip())
    todo = unfinished(ts)
    for ctx, src in todo:
        print(f"untranslated: {ctx}: {src!r}")
    if args.check:
        return 1 if todo else 0
    qm = compile_qm(ts, args.qm or cache_dir() / "twinviewer_zh_CN.qm")
    print(f"wrote {qm} ({len(todo)} untranslated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
