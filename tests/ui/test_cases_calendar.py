"""The working-calendar editor of the Cases & Alerts dock in the real window: a holiday added
in the dialog is saved into the scene's store and moves a case's deadline by one working day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from PySide6.QtCore import QDate, Qt

from tests.conftest import copy_demo
from twinviewer.core.cases import Case, CaseEvent, TimeLimit
from twinviewer.store.cases import CaseStore

T0 = "2026-03-02T10:00:00"  # a Monday, inside the office hours
HOLIDAY = dt.date(2026, 3, 4)  # the Wednesday after


def _file_case(store: CaseStore) -> None:
    store.set_limits([TimeLimit("日历测试", 3, "工作日")])  # added beside the demo's limits
    events = [CaseEvent("CAL-1", T0, "测试", "operator", src, dst)
              for src, dst in (("", "上报"), ("上报", "立案"), ("立案", "派遣"))]
    store.file_cases([(Case("CAL-1", "测试", "日历测试", created=T0), events, None)])


def _open_dialog(qtbot, dock):
    dock.show()
    dock.raise_()
    dock.tabs.setCurrentIndex(3)  # Time limits, where the calendar button is
    qtbot.mouseClick(dock.calendar_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dock.calendar_dialog is not None
                    and dock.calendar_dialog.isVisible(), timeout=5000)
    return dock.calendar_dialog


def test_a_holiday_added_in_the_dialog_moves_the_deadline(main_window, qtbot, tmp_path):
    scene = copy_demo(tmp_path / "scene")
    gpkg = scene.parent / "district.gpkg"
    _file_case(CaseStore(gpkg))
    cal = CaseStore(gpkg).calendar()
    assert HOLIDAY not in cal.holidays and tuple(cal.weekdays) == (0, 1, 2, 3, 4)
    w = main_window([scene])
    dock = w.cases
    qtbot.waitUntil(lambda: "CAL-1" in dock.derived.index, timeout=10_000)
    # Monday 10:00 + 3 working days (Mon-Fri, no holiday that week) = Thursday 10:00
    assert dock.derived.loc["CAL-1", "deadline"] == pd.Timestamp("2026-03-05 10:00")
    dialog = _open_dialog(qtbot, dock)
    before = dialog.listed_days()
    assert ("2026-10-01", "休息") in before  # the demo's holidays are listed
    dialog.date_picker.setSelectedDate(QDate(2026, 3, 4))
    qtbot.mouseClick(dialog.add_holiday_button, Qt.LeftButton)
    assert dialog.listed_days() == sorted([*before, ("2026-03-04", "休息")])
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    # Wednesday is off now: the deadline moves one working day on, to Friday 10:00
    qtbot.waitUntil(lambda: dock.derived.loc["CAL-1", "deadline"]
                    == pd.Timestamp("2026-03-06 10:00"), timeout=5000)
    row = next(r for r in range(dock.case_model.rowCount())
               if dock.case_model.item(r, 0).text() == "CAL-1")
    assert dock.case_model.item(row, 3).text() == "2026-03-06 10:00"  # the list shows it
    assert HOLIDAY in CaseStore(gpkg).calendar().holidays  # the store holds it
    # reopened, the dialog reads it back from the store
    again = _open_dialog(qtbot, dock)
    assert again is not dialog and ("2026-03-04", "休息") in again.listed_days()
    # a working day that ends before it starts is refused in one line; nothing is written
    again.end_edit.setTime(again.start_edit.time().addSecs(-3600))
    qtbot.mouseClick(again.save_button, Qt.LeftButton)
    assert again.isVisible() and "ends" in again.message.text()
    assert CaseStore(gpkg).calendar().end == "17:00"
    again.reject()


# -- a team scene: the dock and the editor work on the PostGIS twin, roles by the server ----
from tests.store.pg_fixtures import *  # noqa: E402, F403 (fixtures: pg_cluster, twin, case_crew)
from tests.store.pg_fixtures import DEMO_SCENE  # noqa: E402


def test_the_dock_of_a_team_scene_uses_the_twin(main_window, qtbot, case_crew, twin,
                                               tmp_path):
    from twinviewer.store.pg_cases import PgCaseStore
    from twinviewer.store.pg_publish import write_scene

    _file_case(PgCaseStore(twin))
    viewer = main_window([write_scene(DEMO_SCENE, case_crew["vic"], tmp_path / "vic.toml")])
    dock = viewer.cases
    assert isinstance(dock.store, PgCaseStore)
    qtbot.waitUntil(lambda: "CAL-1" in dock.derived.index, timeout=10_000)
    assert dock.derived.loc["CAL-1", "deadline"] == pd.Timestamp("2026-03-05 10:00")
    # a viewer: the server refuses a transition, said in one line in the dock
    dock.tabs.setCurrentIndex(1)
    row = next(r for r in range(dock.case_proxy.rowCount())
               if dock.case_proxy.index(r, 0).data(Qt.UserRole) == "CAL-1")
    dock.case_view.setCurrentIndex(dock.case_proxy.index(row, 0))
    dock.state_box.setCurrentIndex(dock.state_box.findData("处置"))
    dock.role_box.setCurrentIndex(dock.role_box.findData("operator"))
    qtbot.mouseClick(dock.move_button, Qt.LeftButton)
    assert dock.case_message.text().startswith("permission denied: vic holds no case role")
    assert "\n" not in dock.case_message.text()
    # ... and the calendar: refused in the dialog, which stays open; nothing written
    dialog = _open_dialog(qtbot, dock)
    dialog.add_day(HOLIDAY, "休息")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.message.text().startswith("permission denied")
    dialog.reject()
    assert HOLIDAY not in PgCaseStore(twin).calendar().holidays
    # a checker saves it: the twin holds it and the deadline moves by one working day
    checker = main_window([write_scene(DEMO_SCENE, case_crew["cai"], tmp_path / "cai.toml")])
    dock = checker.cases
    qtbot.waitUntil(lambda: "CAL-1" in dock.derived.index, timeout=10_000)
    dialog = _open_dialog(qtbot, dock)
    dialog.date_picker.setSelectedDate(QDate(2026, 3, 4))
    qtbot.mouseClick(dialog.add_holiday_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dock.derived.loc["CAL-1", "deadline"]
                    == pd.Timestamp("2026-03-06 10:00"), timeout=5000)
    assert PgCaseStore(twin).calendar().days() == [("2026-03-04", "休息")]
