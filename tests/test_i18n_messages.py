"""Issue 8: CLI help, CLI output and every reader/store error in Chinese on a zh_CN system.

The texts are translated with :func:`twinviewer.i18n.translate` (context ``cli``,
``LoadError``, ``StoreError``, ``argparse``); these tests run the real command under
``LANG=zh_CN.UTF-8`` and check, from the sources, that no user-facing message is built
from English text that lupdate cannot see.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from twinviewer import i18n
from twinviewer.core.errors import LoadError

PACKAGE = Path(i18n.__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")
CORPUS = "cityjson-corpus/invalid"

# argparse's own English, which must not survive in a Chinese --help
ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "show this help message")


def zh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A Chinese environment with its own (empty) settings: no View > Language override."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", i18n.ENV_KEY)}
    env.update(LANG="zh_CN.UTF-8", XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=env)


def cli_sources() -> list[str]:
    """Every English text of the ``cli`` context, read from cli.py."""
    return sorted({text for ctx, text, _node in translate_calls(PACKAGE / "cli.py")
                   if ctx == "cli"})


def translate_calls(path: Path):
    """``(context, text, node)`` of every ``translate()`` / ``QT_TRANSLATE_NOOP()`` call."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in ("translate", "QT_TRANSLATE_NOOP"):
            args = node.args
            if len(args) == 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                      for a in args):
                yield args[0].value, args[1].value, node
            else:
                yield None, None, node


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


# ------------------------------------------------------------------ the real command


def test_help_is_chinese(tmp_path):
    proc = run("--help", env=zh_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "用法：" in out and "位置参数" in out and "选项" in out, out
    assert "街道规划人员" in out  # the description
    assert "打开主窗口" in out  # the open command's help
    for english in ARGPARSE_ENGLISH:
        assert english not in out, (english, out)
    for text in cli_sources():
        if " " in text and "{" not in text:  # sentences, not names such as "CSV"
            assert text not in out, (text, out)


@pytest.mark.parametrize("command", ["info", "render", "import", "apply", "video"])
def test_subcommand_help_is_chinese(tmp_path, command):
    proc = run(command, "--help", env=zh_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for english in ARGPARSE_ENGLISH:
        assert english not in proc.stdout, (english, proc.stdout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("  ") and "  " in ln[3:]]
    described = [ln for ln in lines if re.search(r"[a-z]{3,} [a-z]{3,}", ln.split("  ")[-1])]
    assert not described, described  # every option's help text is Chinese
    assert HAN.search(proc.stdout)


def test_usage_error_is_chinese(tmp_path):
    proc = run("render", env=zh_env(tmp_path))  # --out missing (info's path is optional)
    assert proc.returncode == 2
    assert "错误" in proc.stderr and "以下参数是必需的" in proc.stderr, proc.stderr
    assert "the following arguments" not in proc.stderr
    proc = run("demo", "--objects", "many", "--out", tmp_path, env=zh_env(tmp_path))
    assert proc.returncode == 2 and "无效的 int 值" in proc.stderr, proc.stderr


@pytest.mark.parametrize(("rel", "chinese"), [
    ("invalid_missing_type/invalid_missing_type.json", "不是 CityJSON 文件"),
    ("invalid_cityjsonfeature_root_id_unresolved/"
     "invalid_cityjsonfeature_root_id_unresolved.city.jsonl", "不是其城市对象之一"),
    ("invalid_missing_type/case.json", "不是可读取的矢量文件"),
])
def test_info_on_a_malformed_file_is_chinese(tmp_path, shared_data, rel, chinese):
    path = shared_data / CORPUS / rel
    english = run("info", path, env={**zh_env(tmp_path), "LANG": "C.UTF-8"})
    proc = run("info", path, env=zh_env(tmp_path))
    assert proc.returncode == 2 and english.returncode == 2
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("twinviewer:")]
    assert line.startswith("twinviewer: 错误：") and str(path) in line, line
    assert chinese in line, line
    problem = english.stderr.strip().split(f"{path}: ", 1)[1]
    assert problem and problem not in line  # none of the English sentence is left
    assert not re.search(r"\b(not|file|is|the|of|no)\b", line.split(f"{path}: ", 1)[1]), line


def test_info_output_and_scene_file_errors_are_chinese(tmp_path, shared_data):
    proc = run("info", shared_data / "fiona-testdata" / "gre.shp", env=zh_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "个对象" in proc.stdout and "个图层" in proc.stdout, proc.stdout
    assert " objects" not in proc.stdout
    scene = tmp_path / "场景.toml"
    scene.write_text('version = 1\n[[layers]]\nsource = "a.gpkg"\nopactiy = 0.5\n',
                     encoding="utf-8")
    proc = run("info", scene, env=zh_env(tmp_path))
    assert proc.returncode == 2
    assert "未知的键“layers[0].opactiy”（是否指“opacity”？）" in proc.stderr, proc.stderr


def test_twinviewer_lang_overrides_the_locale(tmp_path):
    env = zh_env(tmp_path, TWINVIEWER_LANG="en")
    assert "usage:" in run("--help", env=env).stdout
    env = {**zh_env(tmp_path), "LANG": "en_US.UTF-8", "TWINVIEWER_LANG": "zh_CN"}
    assert "用法：" in run("--help", env=env).stdout


def test_view_language_setting_applies_to_the_cli(tmp_path):
    from PySide6.QtCore import QSettings

    env = zh_env(tmp_path)
    settings = QSettings(str(tmp_path / "config" / "twinviewer" / "twinviewer.conf"),
                         QSettings.IniFormat)
    settings.setValue(i18n.SETTINGS_KEY, "en")
    settings.sync()
    assert "usage:" in run("--help", env=env).stdout


# ------------------------------------------------------------------ in this process


def test_translate_without_a_qt_application(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv(i18n.ENV_KEY, raising=False)
    from twinviewer.io.loader import read_source
    from twinviewer.io.scene_file import LayerSpec

    with pytest.raises(LoadError) as english:
        read_source(LayerSpec(source=Path("/nonexistent/无.gpkg")))
    assert english.value.problem == "file not found"
    assert i18n.install_translator("zh_CN")
    try:
        with pytest.raises(LoadError) as chinese:
            read_source(LayerSpec(source=Path("/nonexistent/无.gpkg")))
        assert chinese.value.problem == "文件不存在"
        assert chinese.value.message == "/nonexistent/无.gpkg: 文件不存在"
    finally:
        i18n.remove_translator()
    assert i18n.translate("LoadError", "file not found") == "file not found"


def test_cli_main_restores_english_afterwards(monkeypatch, capsys, tmp_path):
    from twinviewer import cli

    monkeypatch.setenv(i18n.ENV_KEY, "zh_CN")
    assert cli.main(["info", str(tmp_path / "无.gpkg")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    assert i18n.translate("LoadError", "file not found") == "file not found"
    import argparse
    assert argparse._("usage: ") == "usage: "


@pytest.mark.gui
def test_window_message_bar_shows_the_chinese_error(main_window, qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from twinviewer.ui.app import install_translators, remove_translators

    app = QApplication.instance()
    translators = install_translators(app, language="zh_CN")
    try:
        w = main_window()
        bad = tmp_path / "坏的.city.json"
        bad.write_text('{"CityObjects": {}, "vertices": []}', encoding="utf-8")
        with qtbot.waitSignal(w.scene_loaded, timeout=30_000):
            w.open_paths([bad])
        [msg] = [m for m in w.message_bar.messages if "坏的.city.json" in m]
        assert "不是 CityJSON 文件" in msg, msg
    finally:
        remove_translators(app, translators)


# ------------------------------------------------------------------ the sources


def test_every_translate_call_uses_literals_and_lupdate_finds_it(tmp_path):
    """lupdate reads only ``translate("context", "text")`` with two string literals."""
    from twinviewer.i18n import build

    if i18n.qt_tool("lupdate") is None:
        pytest.skip("lupdate is not installed")
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "i18n":
            continue  # translate() itself
        text = path.read_text(encoding="utf-8")
        # an alias hides the call from lupdate
        assert not re.search(r"translate as \w|=\s*translate\s*$", text, re.M), path
        for ctx, src, node in translate_calls(path):
            assert ctx is not None, f"{path}:{node.lineno}: translate() needs two literals"
            found.add((ctx, src))
    ts = tmp_path / "t.ts"
    build.run_lupdate(ts)
    extracted = {(c.findtext("name"), m.findtext("source"))
                 for c in ET.parse(ts).getroot().iter("context") for m in c.iter("message")}
    assert found <= extracted, sorted(found - extracted)[:10]


_SINKS = {"LoadError": 0, "StoreError": 0, "_Bad": 0, "fail": 0, "_error": 0,
          "Refusal": 4, "EditError": 0, "QueryError": 0,
          "PrivacyError": 0}  # callable -> index of the message argument
_WORD = re.compile(r"[A-Za-z]{2,}")


def _english_constants(expr: ast.expr, module: dict, scope: ast.AST | None,
                       seen: set) -> list[ast.Constant]:
    """String constants with English words in ``expr`` that no translate() covers.

    Follows names assigned in ``scope`` and functions of the same module whose result
    is the message; skips the keyword arguments of ``translate(...).format(...)`` (they
    fill placeholders with names and values) and the arguments of other calls.
    """
    out: list[ast.Constant] = []
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str) and _WORD.search(expr.value):
            out.append(expr)
    elif isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            if isinstance(part, ast.Constant):
                out += _english_constants(part, module, scope, seen)
            else:
                out += _english_constants(part.value, module, scope, seen)
    elif isinstance(expr, ast.Call):
        name = _name(expr.func)
        if name == "translate":
            return out
        if name == "format" and isinstance(expr.func, ast.Attribute):
            return _english_constants(expr.func.value, module, scope, seen)
        if isinstance(expr.func, ast.Name) and name in module and name not in seen:
            seen.add(name)
            fn = module[name]
            for ret in ast.walk(fn):
                if isinstance(ret, ast.Return) and ret.value is not None:
                    out += _english_constants(ret.value, module, fn, seen)
    elif isinstance(expr, ast.BinOp):
        out += _english_constants(expr.left, module, scope, seen)
        out += _english_constants(expr.right, module, scope, seen)
    elif isinstance(expr, ast.IfExp):
        out += _english_constants(expr.body, module, scope, seen)
        out += _english_constants(expr.orelse, module, scope, seen)
    elif isinstance(expr, ast.BoolOp):
        for v in expr.values:
            out += _english_constants(v, module, scope, seen)
    elif isinstance(expr, ast.Name) and scope is not None and (expr.id, id(scope)) not in seen:
        seen.add((expr.id, id(scope)))
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
                out += _english_constants(node.value, module, scope, seen)
            elif isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) == expr.id:
                out += _english_constants(node.value, module, scope, seen)
            elif isinstance(node, ast.For) and any(
                    isinstance(t, ast.Name) and t.id == expr.id for t in ast.walk(node.target)):
                out += _english_constants(node.iter, module, scope, seen)
    elif isinstance(expr, ast.Tuple | ast.List):
        for elt in expr.elts:
            out += _english_constants(elt, module, scope, seen)
    return out


def _messages(path: Path):
    """``(node, message expression, enclosing function)`` of every error/warning built."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        message = None
        if name in _SINKS and len(node.args) > _SINKS[name]:
            message = node.args[_SINKS[name]]
        elif name in _SINKS:
            message = next((k.value for k in node.keywords
                            if k.arg in ("problem", "reason")), None)
        elif name == "append" and isinstance(node.func, ast.Attribute) and node.args:
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else \
                getattr(owner, "id", "")
            if "warning" in owner_name or owner_name in ("notes", "problems", "errors"):
                message = node.args[0]
        if message is None:
            continue
        scope = parents.get(node)
        while scope is not None and not isinstance(scope, ast.FunctionDef | ast.Lambda):
            scope = parents.get(scope)
        yield node, message, scope


def test_no_error_message_is_built_from_untranslated_english():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("i18n/", "ui/")):
            continue  # ui/ uses self.tr(), checked by test_i18n
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            module.update({n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)})
        for _node, message, scope in _messages(path):
            for const in _english_constants(message, module, scope, set()):
                offenders.append(f"{rel}:{const.lineno}: {const.value!r}")
    assert offenders == [], "wrap in translate(context, text): " + "\n".join(offenders[:30])


# ------------------------------------------------------------------ edit, query, privacy

_ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")


@pytest.fixture
def chinese():
    """:func:`twinviewer.i18n.translate` answers in Chinese (as in the CLI) for one test."""
    if i18n.qt_tool("lrelease") is None:
        pytest.skip("lrelease is not installed")
    assert i18n.install_translator("zh_CN")
    try:
        yield
    finally:
        i18n.remove_translator()


def _layer():
    import numpy as np

    from twinviewer.core import Layer, ObjectTable, PointBatch

    table = ObjectTable({"层数": np.array([3, 5, 6], dtype=np.int64),
                         "年龄": np.array([70, 85, 91], dtype=np.int64),
                         "姓名": np.array(["张三", "李四", "王五"], dtype=object)},
                        oid=np.array([1, 2, 3]))
    return Layer("建筑", "vector", table, [PointBatch(np.zeros((3, 3)), np.arange(3))],
                 sensitive=frozenset({"姓名"}))


def test_edit_errors_are_chinese(chinese):
    from twinviewer.core.edits import CommandStack, EditError, SetValues, validate

    with pytest.raises(EditError) as err:
        validate("int", "12.5")
    assert err.value.message == "'12.5' 不是整数"
    with pytest.raises(EditError) as err:
        validate("date", "2024-02-30")
    assert err.value.message == "'2024-02-30' 不是有效日期（2024-02 没有 30 日）"
    layer = _layer()
    with pytest.raises(EditError) as err:  # a composed message: every part translated
        CommandStack().push(SetValues(layer, [0, 1], "层数", ["4", "四层"]))
    assert err.value.message == "对象 2 的 层数：'四层' 不是整数"
    with pytest.raises(EditError) as err:
        CommandStack().push(SetValues(layer, [0], "楼层", 4))
    assert err.value.message == "图层 '建筑' 没有字段 '楼层'"
    assert layer.table.df["层数"].tolist() == [3, 5, 6]


def test_query_errors_are_chinese_with_the_column(chinese):
    from twinviewer.core.query import FilterEngine, QueryError, to_sql

    with pytest.raises(QueryError) as err:
        to_sql("年令 >= 80", ["年龄", "独居"])
    assert err.value.message == "未知字段“年令”（是否指“年龄”？）"
    assert str(err.value) == "未知字段“年令”（是否指“年龄”？）（第 1 列）"
    assert err.value.field == "年令" and err.value.suggestion == "年龄"
    engine = FilterEngine()
    for expr in ("层数 > 3 and 高度 < 5", "层数 >> 3", "(层数 > 3", "层数 >", "层数 = 'abc"):
        with pytest.raises(QueryError) as err:
            engine.rows(_layer(), expr)
        text = str(err.value)
        assert HAN.search(text) and "列）" in text, text
        assert not _ENGLISH_WORD.search(text), text


def test_privacy_error_is_chinese(chinese):
    from twinviewer.core.privacy import PrivacyError, PrivacyState

    with pytest.raises(PrivacyError) as err:
        PrivacyState().unmask(_layer(), "", lambda record: None)
    assert str(err.value) == "请说明查看敏感字段的用途"
    with pytest.raises(PrivacyError) as err:
        PrivacyState().unmask(_layer(), "走访", lambda record: None, ["年龄"])
    assert str(err.value) == "图层 '建筑' 的字段 '年龄' 不是敏感字段"


def test_english_stays_without_a_translator():
    from twinviewer.core.edits import EditError, validate
    from twinviewer.core.query import QueryError, to_sql

    with pytest.raises(EditError, match=r"^'12\.5' is not a whole number$"):
        validate("int", "12.5")
    with pytest.raises(QueryError, match=r"did you mean '年龄'\?\) \(at column 1\)$"):
        to_sql("年令 >= 80", ["年龄"])


@pytest.mark.gui
def test_filter_bar_error_is_chinese(main_window, qtbot):
    from PySide6.QtWidgets import QApplication

    from twinviewer.ui.app import install_translators, remove_translators

    app = QApplication.instance()
    translators = install_translators(app, language="zh_CN")
    try:
        w = main_window()
        w.attribute_table.show_layer("人口")
        bar = w.attribute_table.query_bar
        assert not bar.set_text("年令 >= 80")
        text = bar.error.text()
        assert bar.error.isVisible() and text.startswith("第 1 列：未知字段“年令”"), text
        assert not _ENGLISH_WORD.search(text), text
        df = w.attribute_table.layer.table.df
        number = next(str(c) for c in df.columns if c != "oid" and df[c].dtype.kind in "iuf")
        assert not bar.set_text(f"{number} >>= 80")
        assert "附近有语法错误" in bar.error.text(), bar.error.text()
    finally:
        remove_translators(app, translators)
