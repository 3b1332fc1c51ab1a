"""zh_CN translation: complete, placeholders intact, compiled on demand, shown in the window."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import save_window
from twinviewer import i18n
from twinviewer.i18n import build

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?\}")  # {n}, {v:,}


def _messages(ts):
    for context in ET.parse(ts).getroot().iter("context"):
        for msg in context.iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.get("type") in ("vanished", "obsolete"):
                continue
            yield context.findtext("name"), msg.findtext("source"), (
                "".join(tr.itertext()) if tr is not None else "")


@pytest.fixture(scope="module")
def refreshed_ts(tmp_path_factory):
    """The committed .ts merged with the current sources by lupdate, in a temp copy."""
    if i18n.qt_tool("lupdate") is None:
        pytest.skip("lupdate is not installed")
    ts = tmp_path_factory.mktemp("i18n") / "twinviewer_zh_CN.ts"
    shutil.copy(i18n.ts_file("zh_CN"), ts)
    build.run_lupdate(ts)
    return ts


def test_every_ui_string_is_translated(refreshed_ts):
    todo = build.unfinished(refreshed_ts)
    assert todo == [], "untranslated (run python -m twinviewer.i18n.build): " + repr(todo[:20])
    assert len(list(_messages(refreshed_ts))) > 100


def test_translations_keep_placeholders_and_mnemonics(refreshed_ts):
    for ctx, src, tr in _messages(refreshed_ts):
        assert sorted(PLACEHOLDER.findall(src)) == sorted(PLACEHOLDER.findall(tr)), (ctx, src, tr)
        if re.search(r"&[A-Za-z]", src):  # menu accelerators survive as 文件(&F)
            assert re.search(r"&[A-Za-z]", tr), (ctx, src, tr)
        # English left as it is only for single words such as a format name (CSV, Excel)
        assert re.search(r"[\u4e00-\u9fff]", tr) or (tr == src and " " not in src.strip()), \
            (ctx, src, tr)


def test_qm_compiled_into_cache_and_rebuilt_when_stale(tmp_path, monkeypatch):
    if i18n.qt_tool("lrelease") is None:
        pytest.skip("lrelease is not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    qm = i18n.qm_file("zh_CN")
    assert qm is not None and qm.is_file() and qm.parent.is_relative_to(tmp_path)
    assert qm.read_bytes()[:4] == bytes.fromhex("3cb86418")  # Qt .qm magic
    import os
    os.utime(qm, (1, 1))  # older than the .ts: compiled again
    assert i18n.qm_file("zh_CN").stat().st_mtime > 1
    assert i18n.qm_file("xx_XX") is None


@pytest.mark.parametrize(("value", "lang"), [
    ("zh_CN.UTF-8", "zh_CN"), ("zh-Hans", "zh_CN"), ("zh_CN.GB18030", "zh_CN"),
    ("en_US.UTF-8", "en"), ("C", "en"), ("", "en"),
])
def test_locale_names(value, lang):
    assert i18n.normalize(value) == lang


def test_setting_overrides_system_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert i18n.choose_language("") == "zh_CN"
    assert i18n.choose_language("en") == "en"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert i18n.choose_language(None) == "en"
    assert i18n.choose_language("zh_CN") == "zh_CN"


@pytest.mark.gui
def test_main_window_in_chinese(main_window, qtbot, tmp_path, artifacts):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QDockWidget

    from twinviewer.ui.app import install_translators, remove_translators

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue(i18n.SETTINGS_KEY, "zh_CN")
    settings.sync()
    app = QApplication.instance()
    translators = install_translators(app, settings)
    try:
        assert len(translators) >= 1
        w = main_window()
        titles = [a.text() for a in w.menuBar().actions()]
        assert titles[:3] == ["文件(&F)", "编辑(&E)", "图层(&L)"], titles
        for title in titles:
            assert re.search(r"[\u4e00-\u9fff]", title), title
        assert w.layer_dock.windowTitle() == "图层"
        assert w.table_dock.windowTitle() == "属性表"
        for dock in w.findChildren(QDockWidget):  # every panel's title, the late ones too
            assert re.search(r"[\u4e00-\u9fff]", dock.windowTitle()), dock.windowTitle()
        assert "个对象" in w.objects_label.text()
        assert w.language_menu.title() == "语言(&L)"
        checked = [a.data() for a in w.language_menu.actions() if a.isChecked()]
        assert checked == ["zh_CN"]
        save_window(w, artifacts / "main_window_zh_CN.png")
        english = [a for a in w.language_menu.actions() if a.data() == "en"][0]
        english.trigger()
        assert settings.value(i18n.SETTINGS_KEY) == "en"
        assert "下次启动" in w.message_bar.label.text()
    finally:
        remove_translators(app, translators)
