"""Translations: the zh_CN Qt Linguist file, its compiled .qm and the language choice.

The ``.ts`` file (``twinviewer_zh_CN.ts``) is the source kept in git.  The ``.qm``
Qt loads is compiled from it with ``lrelease`` (shipped in PySide6-Essentials) the
first time it is needed, into the user's cache folder, and again whenever the
``.ts`` is newer; it is never committed.  No Qt import at module level: the window
(``ui/app.py``) installs the translators on its ``QApplication``; the CLI, which has no
application, installs one with :func:`install_translator`.

Messages outside widgets (``LoadError``/``StoreError``/``EditError``/``QueryError``/
``PrivacyError`` texts, CLI help and output) are
written ``translate("LoadError", "has no layer named {table!r}").format(table=table)``:
lupdate extracts the two literal strings, the ``{name}`` placeholders are filled in
after translation, and :func:`translate` returns the English text when no translator
is installed (tests, English systems).
"""

from __future__ import annotations

import locale
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
SETTINGS_KEY = "ui/language"  # "" or missing: follow the system locale
ENV_KEY = "TWINVIEWER_LANG"  # overrides the setting and the system locale

_lock = threading.Lock()
_translators: list = []  # QTranslator objects installed without a QCoreApplication


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
    """The language to use.

    ``$TWINVIEWER_LANG`` when set (``zh_CN``, ``en``, or any locale name), else the
    setting (View > Language) when it names one we have, else the system's.
    """
    forced = os.environ.get(ENV_KEY, "").strip()
    if forced:
        return forced if forced in LANGUAGES else normalize(forced)
    if setting and setting in LANGUAGES:
        return setting
    return system_language()


def saved_setting() -> str:
    """The View > Language choice saved by the window (``""`` when none or unreadable)."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # pragma: no cover - PySide6 is a dependency
        return ""
    value = QSettings("twinviewer", "twinviewer").value(SETTINGS_KEY, "")
    return str(value or "")


def translate(context: str, text: str) -> str:
    """``text`` in the user's language, or ``text`` itself when there is no translation.

    Looks in the translators of :func:`install_translator` (the CLI), then in those
    of the running ``QCoreApplication`` (the window).  Safe from any thread.  Call it
    with two string literals so that lupdate finds them, and fill ``{placeholders}``
    with ``str.format`` on the result.

    Parameters
    ----------
    context : str
        The translation context, e.g. ``"LoadError"``, ``"StoreError"``, ``"cli"``.
    text : str
        The English source text.

    Returns
    -------
    str
        The translation, or ``text``.
    """
    for translator in _translators:
        out = translator.translate(context, text)
        if out:
            return out
    qtcore = sys.modules.get("PySide6.QtCore")  # no Qt imported: no application either
    if qtcore is not None and qtcore.QCoreApplication.instance() is not None:
        return qtcore.QCoreApplication.translate(context, text)
    return text


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate knows
    """Mark ``text`` for lupdate without translating it now (see :func:`translate`)."""
    return text


def install_translator(language: str) -> bool:
    """Make :func:`translate` answer in ``language`` without a Qt application (the CLI).

    Returns ``True`` when a translation was installed (``False`` for English, or when
    the ``.qm`` cannot be built: the texts then stay English).
    """
    remove_translator()
    if language == "en" or language not in LANGUAGES:
        return False
    qm = qm_file(language)
    if qm is None:
        return False
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    if not translator.load(str(qm)):
        log.warning("cannot load %s", qm)
        return False
    with _lock:
        _translators.append(translator)
    return True


def remove_translator() -> None:
    """Undo :func:`install_translator`."""
    with _lock:
        _translators.clear()
