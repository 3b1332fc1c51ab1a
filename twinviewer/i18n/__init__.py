"""Translations: the zh_CN Qt Linguist file, its compiled .qm and the language choice.

The ``.ts`` file (``twinviewer_zh_CN.ts``) is the source kept in git.  The ``.qm``
Qt loads is compiled from it with ``lrelease`` (shipped in PySide6-Essentials) the
first time it is needed, into the user's cache folder, and again whenever the
``.ts`` is newer; it is never committed.  No Qt import here: the window
(``ui/app.py``) installs the translators, the CLI only needs the language.
"""

from __future__ import annotations

import locale
import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
SETTINGS_KEY = "ui/language"  # "" or missing: follow the system locale


def ts_file(lang: str = "zh_CN") -> Path:
    """The Qt Linguist source of ``lang`` in the package."""
    return HERE / f"twinviewer_{lang}.ts"


def qt_tool(name: str) -> str | None:
    """Path of a Qt tool (``lupdate``, ``lrelease``) shipped with PySide6, else on PATH."""
    try:
        import PySide6
        exe = Path(PySide6.__file__).parent / (name + (".exe" if os.name == "nt" else ""))
        if exe.is_file():
            return str(exe)
    except ImportError:  # pragma: no cover - PySide6 is a dependency
        pass
    return shutil.which(f"pyside6-{name}") or shutil.which(name)


def cache_dir() -> Path:
    """Folder for compiled ``.qm`` files (``$XDG_CACHE_HOME/twinviewer/i18n``)."""
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None) or Path.home() / ".cache"
    return Path(base) / "twinviewer" / "i18n"


def compile_qm(ts: Path, qm: Path) -> Path:
    """Compile ``ts`` into ``qm`` with ``lrelease``; raises ``RuntimeError`` when impossible."""
    tool = qt_tool("lrelease")
    if tool is None:
        raise RuntimeError("lrelease not found (it ships with PySide6-Essentials)")
    qm.parent.mkdir(parents=True, exist_ok=True)
    tmp = qm.with_name(qm.name + f".{os.getpid()}.tmp")
    proc = subprocess.run([tool, "-silent", str(ts), "-qm", str(tmp)],
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"lrelease failed: {proc.stderr.strip() or proc.stdout.strip()}")
    os.replace(tmp, qm)  # atomic: a second instance never reads half a file
    return qm


def qm_file(lang: str = "zh_CN") -> Path | None:
    """The compiled translation for ``lang``, built first when missing or stale.

    Returns ``None`` (the UI stays English, with a log message) when there is no
    ``.ts`` for ``lang`` or it cannot be compiled.
    """
    ts = ts_file(lang)
    if not ts.is_file():
        return None
    qm = cache_dir() / f"twinviewer_{lang}.qm"
    try:
        if not qm.is_file() or qm.stat().st_mtime < ts.stat().st_mtime:
            compile_qm(ts, qm)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        log.warning("cannot compile the %s translation: %s", lang, exc)
        return None
    return qm


def system_language() -> str:
    """``"zh_CN"`` when the system locale is Chinese, else ``"en"``.

    Reads ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` like gettext, then Python's locale.
    """
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return normalize(value)
    try:
        value = locale.getlocale()[0] or ""
    except ValueError:
        value = ""
    return normalize(value)


def normalize(value: str) -> str:
    """``"zh_CN"`` for any Chinese locale name (``zh_CN.UTF-8``, ``zh-Hans``, ``zh``), else
    ``"en"``."""
    v = value.split(":")[0].split(".")[0].replace("-", "_").lower()
    return "zh_CN" if v.startswith("zh") else "en"


def choose_language(setting: str | None) -> str:
    """The language to use: the setting when it names one we have, else the system's."""
    if setting and setting in LANGUAGES:
        return setting
    return system_language()
