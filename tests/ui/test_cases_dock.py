"""The Cases & Alerts dock in the real window: a sensor alarm from a real mosquitto blinks on
its building (pixels), is acknowledged from the dock and holds its colour; cases list overdue
first, a click flies to the object, the dashboard exports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyogrio

from tests.conftest import copy_demo, pixel, roof_display
from tests.live.test_listen import (  # stop_publishers: autouse, stops them after each test
    publish_all,
    publisher,
    reading,
    stop_publishers,  # noqa: F401
)


def _scene(tmp_path, broker_url):
    scene = copy_demo(tmp_path / "scene")
    text = scene.read_text(encoding="utf-8")
    scene.write_text(text.replace('broker = "mqtt://127.0.0.1:1883"',
                                  f'broker = "{broker_url}"'), encoding="utf-8")
    return scene


def _red(rgb):  # the blink colour under the scene's lighting
    return rgb[0] > 110 and rgb[1] < 0.25 * rgb[0] and rgb[2] < 0.3 * rgb[0]


def _amber(rgb):  # the acknowledged colour
    return rgb[0] > 110 and 0.45 * rgb[0] < rgb[1] < 0.8 * rgb[0] and rgb[2] < 0.25 * rgb[0]


def test_alert_blinks_on_its_building_and_is_acknowledged(main_window, qtbot, mosquitto,
                                                          tmp_path, artifacts):
    scene = _scene(tmp_path, mosquitto.url)
    w = main_window([scene])
    dock = w.cases
    qtbot.waitUntil(lambda: dock.listener is not None and dock.listener.connected.is_set(),
                    timeout=15_000)
    sensors = pyogrio.read_dataframe(scene.parent / "district.gpkg", layer="iot_sensors")
    smoke = sensors[sensors["类型"] == "烟感"].iloc[0]
    building = smoke["楼栋"]
    layer = w.scene.layer("建筑")
    row = int(np.flatnonzero(layer.table.column("名称") == building)[0])
    # look at the building from above, then make it fire
    w.scene.selection.select("建筑", [row])
    w.zoom_to_selection()
    w.scene.selection.clear()
    qtbot.wait(300)
    at = roof_display(w, "建筑", row)
    before = pixel(w, at, labels=False)
    assert not _red(before)
    pub = publisher(mosquitto.port)
    publish_all(pub, [(f"twin/{smoke['编号']}/event", reading(1, alarm=True, value=0.5))])
    qtbot.waitUntil(lambda: dock.alert_model.rowCount() == 1, timeout=10_000)
    seen = set()
    for _ in range(12):  # blinking: red and not red within a few half-second phases
        qtbot.wait(260)
        seen.add(_red(pixel(w, at, labels=False)))
        if seen == {True, False}:
            break
    m = dock.paint.marks.get("建筑")
    assert seen == {True, False}, (before, dock.alerts[["state", "device"]].to_dict(),
                                   None if m is None else (np.flatnonzero(m.blink), row),
                                   dock.devices[smoke["编号"]], building)
    dock.paint.paint(on=True)
    w.save_image(artifacts / "cases_alert_blinking.png")
    # acknowledge from the dock: click the alert's row, then the button
    rect = dock.alert_view.visualRect(dock.alert_proxy.index(0, 0))
    dock.tabs.setCurrentIndex(0)
    dock.show()
    dock.raise_()
    from PySide6.QtCore import Qt
    qtbot.mouseClick(dock.alert_view.viewport(), Qt.LeftButton, pos=rect.center())
    assert w.scene.selection.rows("物联设备").tolist() != []  # the click flew to the sensor
    qtbot.mouseClick(dock.ack_button, Qt.LeftButton)
    alerts = dock.store.alerts()
    assert alerts.state.tolist() == ["acknowledged"]
    w.scene.selection.clear()
    qtbot.wait(1200)
    held = [pixel(w, at, labels=False) for _ in range(3) if qtbot.wait(300) is None]
    assert held and all(_amber(p) for p in held), held
    w.save_image(artifacts / "cases_alert_acknowledged.png")
    # the case the smoke alarm opened is in the list; the dashboard exports
    dock.open_only.setCurrentIndex(0)
    cases = [dock.case_model.item(r, 0).text() for r in range(dock.case_model.rowCount())]
    assert any(c.startswith("GJ-") for c in cases)
    dock.export_csv(tmp_path / "d.csv")
    dock.export_xlsx(tmp_path / "d.xlsx")
    dock.export_pdf(tmp_path / "d.pdf")
    table = pd.read_csv(tmp_path / "d.csv")
    assert {"closed_rate", "on_time_rate", "分组"} <= set(table.columns)
    assert "案件" in pd.read_excel(tmp_path / "d.xlsx", sheet_name=None)
    assert (tmp_path / "d.pdf").read_bytes()[:4] == b"%PDF"
    pub.loop_stop()
    json.dumps(dock.service.report())


def test_overdue_cases_first_and_a_transition_from_the_dock(main_window, qtbot):
    w = main_window()
    dock = w.cases
    qtbot.waitUntil(lambda: dock.case_model.rowCount() > 0, timeout=10_000)
    overdue = [dock.case_model.item(r, 2).text() != "" for r in
               range(dock.case_model.rowCount())]
    assert overdue == sorted(overdue, reverse=True)  # overdue ones on top
    dock.case_view.setCurrentIndex(dock.case_proxy.index(0, 0))
    cid = dock.case_proxy.index(0, 0).data()
    state = dock.book.state(cid)
    assert dock.state_box.count() > 0
    dock.role_box.setCurrentIndex(dock.role_box.findData("viewer"))  # not offered: stays
    target = dock.state_box.itemData(0)
    dock.note.setText("现场已处理")
    dock.role_box.setCurrentIndex(0)
    dock.transition_current()
    after = dock.store.book().state(cid)
    assert after in (target, state)  # refused by role shows a message instead
    assert dock.case_message.text()


def test_time_limits_are_edited_in_the_window(main_window, qtbot):
    w = main_window()
    dock = w.cases
    qtbot.waitUntil(lambda: dock.limit_model.rowCount() == 21, timeout=10_000)
    row = next(r for r in range(21) if dock.limit_model.item(r, 0).text() == "占道经营")
    dock.limit_model.item(row, 1).setText("6")
    assert dock.save_limits()
    assert {t.subcategory: t.amount for t in dock.store.limits()}["占道经营"] == 6.0
    dock.limit_model.item(row, 2).setText("月")  # a bad unit: refused, nothing saved
    assert not dock.save_limits()
    assert "占道经营" in dock.limit_message.text()
    assert {t.subcategory: t.unit for t in dock.store.limits()}["占道经营"] == "工作时"
