"""Cases & Alerts dock: open alerts and cases (overdue first), their actions, the dashboard.

The dock owns no data: cases and alerts live in the scene's store
(:func:`~twinviewer.store.scene_cases.case_store_for`: the GeoPackage, or the
PostGIS twin of a team scene); the dock reads them, shows them and
sends commands (acknowledge, 转立案, transition, assign, extend, attach).  When the
scene file names a broker (``[live] broker``), the dock runs the
:class:`~twinviewer.live.service.LiveService`: paho's thread only queues messages, a
timer drains the queue here on the GUI thread.  Alerts blink on their sensors and
buildings and buildings carry an open-count badge through
:class:`~twinviewer.render.alert_paint.AlertPaint` (colour arrays, no actors).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QDateTime, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core.cases import FINAL, TRANSITIONS, CaseError, rates
from twinviewer.core.fonts import cjk_families
from twinviewer.core.summary import export_csv, write_sheets

log = logging.getLogger(__name__)

ROLES = ("operator", "unit", "checker")
BUILDINGS = "建筑"


def _table(parent) -> tuple[QTableView, QStandardItemModel, QSortFilterProxyModel]:
    model = QStandardItemModel(parent)
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QTableView.SelectRows)
    view.setSelectionMode(QTableView.SingleSelection)
    view.verticalHeader().hide()
    return view, model, proxy


class CasesDock(QDockWidget):
    """The Cases & Alerts dock of a main window (see :func:`install`)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Cases && Alerts"))  # in this class's context
        self.setObjectName("casesDock")
        self.window_ = window
        self.store = None
        self.book = None
        self.service = None
        self.listener = None
        self.paint = None
        self.devices: dict = {}
        self.derived = pd.DataFrame()
        self.alerts = pd.DataFrame()
        self.who = getpass.getuser()
        self._dirty = True

        tabs = QTabWidget(self)
        self.tabs = tabs
        # -- alerts
        page = QWidget()
        lay = QVBoxLayout(page)
        self.alert_filter = QLineEdit(page)
        self.alert_filter.setPlaceholderText(self.tr("Filter alerts…"))
        self.alert_view, self.alert_model, self.alert_proxy = _table(page)
        self.alert_filter.textChanged.connect(self.alert_proxy.setFilterFixedString)
        row = QHBoxLayout()
        self.ack_button = QPushButton(self.tr("Acknowledge"), page)
        self.to_case_button = QPushButton(self.tr("Open a case (转立案)"), page)
        self.ack_button.clicked.connect(self.acknowledge_current)
        self.to_case_button.clicked.connect(self.case_from_current)
        row.addWidget(self.ack_button)
        row.addWidget(self.to_case_button)
        row.addStretch(1)
        self.live_label = QLabel(page)
        row.addWidget(self.live_label)
        lay.addWidget(self.alert_filter)
        lay.addWidget(self.alert_view, 1)
        lay.addLayout(row)
        tabs.addTab(page, self.tr("Alerts"))
        # -- cases
        page = QWidget()
        lay = QVBoxLayout(page)
        top = QHBoxLayout()
        self.case_filter = QLineEdit(page)
        self.case_filter.setPlaceholderText(self.tr("Filter cases…"))
        self.open_only = QComboBox(page)
        self.open_only.addItem(self.tr("Open cases"), True)
        self.open_only.addItem(self.tr("All cases"), False)
        self.open_only.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.case_filter, 1)
        top.addWidget(self.open_only)
        self.case_view, self.case_model, self.case_proxy = _table(page)
        self.case_filter.textChanged.connect(self.case_proxy.setFilterFixedString)
        grid = QGridLayout()
        self.state_box = QComboBox(page)
        self.role_box = QComboBox(page)
        for r in ROLES:
            self.role_box.addItem(r, r)
        self.note = QLineEdit(page)
        self.note.setPlaceholderText(self.tr("Note or reason"))
        self.move_button = QPushButton(self.tr("Transition"), page)
        self.move_button.clicked.connect(self.transition_current)
        grid.addWidget(QLabel(self.tr("To")), 0, 0)
        grid.addWidget(self.state_box, 0, 1)
        grid.addWidget(self.role_box, 0, 2)
        grid.addWidget(self.note, 0, 3)
        grid.addWidget(self.move_button, 0, 4)
        self.unit_edit = QLineEdit(page)
        self.unit_edit.setPlaceholderText(self.tr("责任单位"))
        self.person_edit = QLineEdit(page)
        self.person_edit.setPlaceholderText(self.tr("责任人"))
        self.assign_button = QPushButton(self.tr("Assign"), page)
        self.assign_button.clicked.connect(self.assign_current)
        grid.addWidget(self.unit_edit, 1, 1)
        grid.addWidget(self.person_edit, 1, 2, 1, 2)
        grid.addWidget(self.assign_button, 1, 4)
        self.deadline_edit = QDateTimeEdit(QDateTime.currentDateTime().addDays(7), page)
        self.deadline_edit.setCalendarPopup(True)
        self.extend_button = QPushButton(self.tr("Request extension"), page)
        self.approve_button = QPushButton(self.tr("Approve extension"), page)
        self.attach_button = QPushButton(self.tr("Attach photo…"), page)
        self.extend_button.clicked.connect(self.extend_current)
        self.approve_button.clicked.connect(self.approve_current)
        self.attach_button.clicked.connect(self.attach_dialog)
        grid.addWidget(self.deadline_edit, 2, 1)
        grid.addWidget(self.extend_button, 2, 2)
        grid.addWidget(self.approve_button, 2, 3)
        grid.addWidget(self.attach_button, 2, 4)
        self.case_message = QLabel(page)
        self.case_message.setWordWrap(True)
        lay.addLayout(top)
        lay.addWidget(self.case_view, 1)
        lay.addLayout(grid)
        lay.addWidget(self.case_message)
        tabs.addTab(page, self.tr("Cases"))
        self.case_view.selectionModel().currentRowChanged.connect(self._case_changed)
        # -- dashboard
        page = QWidget()
        lay = QVBoxLayout(page)
        self.rate_label = QLabel(page)
        self.rate_label.setWordWrap(True)
        self.figure = Figure(figsize=(4, 4), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(120, 120)
        row = QHBoxLayout()
        for text, slot in ((self.tr("CSV…"), self.export_csv_dialog),
                           (self.tr("Excel…"), self.export_xlsx_dialog),
                           (self.tr("PDF…"), self.export_pdf_dialog)):
            b = QPushButton(text, page)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addWidget(self.rate_label)
        lay.addWidget(self.canvas, 1)
        lay.addLayout(row)
        tabs.addTab(page, self.tr("Dashboard"))
        # -- time limits (小类, 时限, 单位, 结案条件), edited in place and saved to the store
        page = QWidget()
        lay = QVBoxLayout(page)
        self.limit_model = QStandardItemModel(page)
        self.limit_view = QTableView(page)
        self.limit_view.setModel(self.limit_model)
        row = QHBoxLayout()
        add = QPushButton(self.tr("Add row"), page)
        add.clicked.connect(lambda: self.limit_model.appendRow(
            [QStandardItem(v) for v in ("", "1", "工作日", "")]))
        self.save_limits_button = QPushButton(self.tr("Save time limits"), page)
        self.save_limits_button.clicked.connect(self.save_limits)
        self.calendar_button = QPushButton(self.tr("Working calendar…"), page)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.calendar_dialog = None
        self.limit_message = QLabel(page)
        row.addWidget(add)
        row.addWidget(self.save_limits_button)
        row.addWidget(self.calendar_button)
        row.addWidget(self.limit_message, 1)
        lay.addWidget(self.limit_view, 1)
        lay.addLayout(row)
        tabs.addTab(page, self.tr("Time limits"))
        self.setWidget(tabs)

        self.alert_view.clicked.connect(self._fly_alert)
        self.case_view.clicked.connect(self._fly_case)
        self.drain_timer = QTimer(self)
        self.drain_timer.timeout.connect(self._drain)
        self.blink_timer = QTimer(self)
        self.blink_timer.timeout.connect(self._blink)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self._refresh_if_dirty)
        self._ticks = 0

    # -- binding to a scene -----------------------------------------------------------
    def bind(self) -> None:
        """Read the scene's cases and alerts; start listening when it names a broker."""
        self.stop()
        scene = self.window_.scene
        if self.store is not None:
            self.store.close()  # a PostGIS store's connection
        self.store = None
        if not scene.path or not str(scene.path).endswith(".toml"):
            self.refresh()
            return
        from twinviewer.io.scene_file import read_scene_file
        from twinviewer.live.service import LiveService, devices_from_scene
        from twinviewer.store.scene_cases import case_store_for

        try:
            spec = read_scene_file(scene.path)
            self.store = case_store_for(scene.path)
            sensors = spec.live.get("sensors", "传感器")
            try:
                devs = devices_from_scene(scene.path, sensors=sensors)
            except Exception as exc:  # no sensors layer: cases only
                log.info("no devices: %s", exc)
                devs = []
            self.devices = {d.device_id: d for d in devs}
            self.sensors_layer = sensors
            if spec.live.get("broker") and devs:
                from twinviewer.live.client import MqttListener

                self.service = LiveService(self.store, devs, sensors_layer=sensors,
                                           who=self.who)
                self.service.listeners.append(lambda *_: self._mark_dirty())
                self.listener = MqttListener(spec.live["broker"])
                self.listener.start(wait_s=None)
                self.drain_timer.start(200)
        except Exception as exc:  # the edge: the rest of the window keeps working
            log.warning("cases and alerts unavailable: %s", exc)
            self.window_.message_bar.push(str(getattr(exc, "message", exc)), "error")
        view = self.window_.viewport.view
        if view is not None:
            from twinviewer.render.alert_paint import AlertPaint
            self.paint = AlertPaint(view)
        self._dirty = True
        self.refresh()
        self.blink_timer.start(500)
        self.refresh_timer.start(1000)

    def stop(self) -> None:
        for t in (self.drain_timer, self.blink_timer, self.refresh_timer):
            t.stop()
        if self.listener is not None:
            try:
                self.listener.stop()
            except Exception:
                log.debug("listener stop", exc_info=True)
        self.listener = None
        self.service = None
        self.paint = None

    # -- live ---------------------------------------------------------------------------
    def _drain(self) -> None:
        if self.service is None or self.listener is None:
            return
        try:
            self.service.drain(self.listener.inbox)
            self._ticks += 1
            if self._ticks % 5 == 0:
                self.service.tick()
        except Exception as exc:  # never let a slot raise into Qt
            log.warning("live: %s", exc)
        rep = self.service.report()
        self.live_label.setText(self.tr("{state}: {n} messages, {bad} refused").format(
            state=self.tr("connected") if self.listener.connected.is_set() else
            self.tr("disconnected"), n=rep["received"], bad=sum(rep["rejected"].values())))

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read cases and alerts from the store and redraw lists, marks and dashboard."""
        self._dirty = False
        if self.store is None:
            self.derived, self.alerts = pd.DataFrame(), pd.DataFrame()
            self._fill()
            return
        try:
            self.book = self.store.book()
            self.derived = self.book.derived()
            self.alerts = self.store.alerts()
        except Exception as exc:
            log.warning("cases: %s", exc)
            self.window_.message_bar.push(str(getattr(exc, "message", exc)), "error")
            return
        self._fill()
        self._update_marks()
        self._draw_dashboard()
        if self.limit_model.rowCount() == 0:
            self._fill_limits()

    def _fill(self) -> None:
        m = self.alert_model
        m.clear()
        m.setHorizontalHeaderLabels([self.tr("Alert"), self.tr("State"), self.tr("Device"),
                                     self.tr("Kind"), self.tr("Where"), self.tr("Since"),
                                     self.tr("Case")])
        a = self.alerts
        if len(a):
            shown = a[a.state.isin(("firing", "acknowledged", "pending", "inhibited"))]
            order = shown.state.map({"firing": 0, "pending": 1, "acknowledged": 2}).fillna(3)
            shown = shown.iloc[np.lexsort((shown.started.fillna("").to_numpy(),
                                           order.to_numpy()))]
            for r in shown.itertuples():
                items = [QStandardItem(str(v or "")) for v in (
                    r.rule, self._state_text(r.state), r.device, r.kind, r.grp,
                    r.fired or r.started, r.case_id)]
                items[0].setData(r.alert_id, Qt.UserRole)
                for it in items:
                    it.setEditable(False)
                m.appendRow(items)
        m = self.case_model
        m.clear()
        m.setHorizontalHeaderLabels([self.tr("Case"), self.tr("State"), self.tr("Overdue"),
                                     self.tr("Deadline"), "类别", "小类", "责任单位",
                                     self.tr("Compound")])
        d = self.derived
        if len(d):
            if self.open_only.currentData():
                d = d[d["open"]]
            deadline = d["deadline"].to_numpy(dtype="datetime64[s]").astype(np.int64)
            deadline[np.isnat(d["deadline"].to_numpy(dtype="datetime64[s]"))] = np.iinfo(
                np.int64).max  # no deadline yet: last
            d = d.iloc[np.lexsort((deadline, ~d["open"].to_numpy(dtype=bool),
                                   ~d["overdue"].to_numpy(dtype=bool)))]  # overdue first
            for r in d.itertuples():
                dl = "" if pd.isna(r.deadline) else f"{r.deadline:%Y-%m-%d %H:%M}"
                items = [QStandardItem(str(v)) for v in (
                    r.case_id, r.state, self.tr("overdue") if r.overdue else "", dl,
                    r.category, r.subcategory, r.unit or "", r.compound or "")]
                items[0].setData(r.case_id, Qt.UserRole)
                for it in items:
                    it.setEditable(False)
                if r.overdue:
                    items[2].setForeground(Qt.red)
                m.appendRow(items)
        self.case_proxy.sort(-1)
        self.alert_proxy.sort(-1)

    def _state_text(self, state: str) -> str:
        return {"firing": self.tr("firing"), "acknowledged": self.tr("acknowledged"),
                "pending": self.tr("pending"), "inhibited": self.tr("inhibited")}.get(
            state, state)

    # -- marks on the 3D view -----------------------------------------------------------------
    def _rows(self, layer_name: str, oids) -> np.ndarray:
        try:
            layer = self.window_.scene.layer(layer_name)
        except KeyError:
            return np.zeros(0, dtype=np.int64)
        wanted = np.array([-1 if o is None or pd.isna(o) else int(o) for o in oids],
                          dtype=np.int64)
        idx = pd.Index(layer.table.oid).get_indexer(wanted)
        return idx[idx >= 0]

    def _building_rows(self, names) -> np.ndarray:
        try:
            layer = self.window_.scene.layer(BUILDINGS)
        except KeyError:
            return np.zeros(0, dtype=np.int64)
        if "名称" not in layer.table.fields:
            return np.zeros(0, dtype=np.int64)
        col = np.asarray(layer.table.column("名称"), dtype=object)
        return np.flatnonzero(np.isin(col, np.asarray(list(names), dtype=object)))

    def _update_marks(self) -> None:
        if self.paint is None:
            return
        a = self.alerts
        firing = a[a.state == "firing"] if len(a) else a
        acked = a[a.state == "acknowledged"] if len(a) else a

        def oids(df):
            return [self.devices[d].oid for d in df.device if d in self.devices]

        def groups(df):
            return {self.devices[d].group for d in df.device if d in self.devices}

        d = self.derived
        badge_rows, badge_counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if len(d):
            open_b = d[d["open"] & (d["layer"] == BUILDINGS)]
            counts = open_b.groupby("oid").size()
            try:
                table_oids = self.window_.scene.layer(BUILDINGS).table.oid
                idx = pd.Index(table_oids).get_indexer(counts.index.to_numpy(dtype=np.int64))
                keep = idx >= 0
                badge_rows, badge_counts = idx[keep], counts.to_numpy()[keep]
            except KeyError:
                pass
        bl_blink = self._building_rows(groups(firing)) if len(firing) else []
        bl_ack = self._building_rows(groups(acked)) if len(acked) else []
        self.paint.set_marks(BUILDINGS, blink_rows=bl_blink, acked_rows=bl_ack,
                             badge_rows=badge_rows, badge_counts=badge_counts)
        sensors = getattr(self, "sensors_layer", None)
        if sensors:
            self.paint.set_marks(sensors, blink_rows=self._rows(sensors, oids(firing)),
                                 acked_rows=self._rows(sensors, oids(acked)))
        self.paint.paint(self.paint.on)

    def _blink(self) -> None:
        if self.paint is not None and self.paint.marks:
            try:
                self.paint.paint()
            except Exception as exc:
                log.warning("alert paint: %s", exc)

    # -- actions ------------------------------------------------------------------------------
    def _current(self, view: QTableView) -> str | None:
        idx = view.currentIndex()
        if not idx.isValid():
            return None
        src = view.model().mapToSource(view.model().index(idx.row(), 0))
        return src.data(Qt.UserRole)

    def select_alert(self, alert_id: str) -> bool:
        for r in range(self.alert_proxy.rowCount()):
            if self.alert_proxy.index(r, 0).data(Qt.UserRole) == alert_id:
                self.alert_view.setCurrentIndex(self.alert_proxy.index(r, 0))
                return True
        return False

    def acknowledge_current(self) -> None:
        aid = self._current(self.alert_view)
        if aid is None:
            return
        try:
            if self.service is not None and aid in self.service.engine.alerts:
                self.service.acknowledge(aid, self.who)
            else:
                self.store.acknowledge(aid, self.who, _dt.datetime.now())
        except Exception as exc:
            self.window_.message_bar.push(str(getattr(exc, "message", exc)), "error")
        self.refresh()

    def case_from_current(self) -> None:
        aid = self._current(self.alert_view)
        if aid is None or self.service is None:
            return
        try:
            cid = self.service.to_case(aid, who=self.who)
            self.case_message.setText(self.tr("Case {cid} opened").format(cid=cid))
        except Exception as exc:
            self.window_.message_bar.push(str(getattr(exc, "message", exc)), "error")
        self.refresh()

    def _case_changed(self, *_args) -> None:
        cid = self._current(self.case_view)
        self.state_box.clear()
        if cid is None or self.book is None:
            return
        try:
            state = self.book.state(cid)
        except CaseError:
            return
        for s in TRANSITIONS.get(state, {}):
            self.state_box.addItem(s, s)

    def _act(self, fn) -> None:
        cid = self._current(self.case_view)
        if cid is None or self.book is None:
            return
        try:
            fn(cid)
            self.case_message.setText(self.tr("{cid}: done").format(cid=cid))
        except Exception as exc:  # CaseError, StoreError: one line in the dock
            self.case_message.setText(str(getattr(exc, "message", exc)))
        self.refresh()

    def transition_current(self) -> None:
        state = self.state_box.currentData()
        if state:
            self._act(lambda cid: self.book.transition(
                cid, state, who=self.who, role=self.role_box.currentData(),
                note=self.note.text()))

    def assign_current(self) -> None:
        self._act(lambda cid: self.book.assign(cid, self.unit_edit.text(),
                                               self.person_edit.text(), who=self.who,
                                               role=self.role_box.currentData()))

    def extend_current(self) -> None:
        when = self.deadline_edit.dateTime().toPython()
        self._act(lambda cid: self.book.request_extension(
            cid, when, who=self.who, role=self.role_box.currentData(), note=self.note.text()))

    def approve_current(self) -> None:
        self._act(lambda cid: self.book.decide_extension(
            cid, True, who=self.who, role=self.role_box.currentData(), note=self.note.text()))

    def attach_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach photo"), "",
                                              self.tr("Images (*.jpg *.jpeg *.png);;All (*)"))
        if path:
            self.attach(path)

    def attach(self, path: str) -> None:
        self._act(lambda cid: self.book.attach(cid, str(Path(path)), who=self.who,
                                               role=self.role_box.currentData(),
                                               note=self.note.text()))

    # -- flying to objects ---------------------------------------------------------------------
    def _select(self, layer: str, rows) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        self.window_.scene.selection.select(layer, rows.tolist())
        self.window_.zoom_to_selection()

    def _fly_alert(self, *_args) -> None:
        aid = self._current(self.alert_view)
        a = self.alerts[self.alerts.alert_id == aid] if len(self.alerts) else self.alerts
        if not len(a) or a.device.iloc[0] not in self.devices:
            return
        dev = self.devices[a.device.iloc[0]]
        rows = self._rows(self.sensors_layer, [dev.oid])
        self._select(self.sensors_layer, rows)

    def _fly_case(self, *_args) -> None:
        cid = self._current(self.case_view)
        if cid is None or cid not in self.derived.index:
            return
        r = self.derived.loc[cid]
        if r["layer"] and r["oid"] is not None and not pd.isna(r["oid"]):
            self._select(r["layer"], self._rows(r["layer"], [int(r["oid"])]))

    # -- time limits -------------------------------------------------------------------------
    def _fill_limits(self) -> None:
        m = self.limit_model
        m.clear()
        m.setHorizontalHeaderLabels(["小类", "时限", "单位", "结案条件"])
        if self.store is None:
            return
        for t in self.store.limits():
            m.appendRow([QStandardItem(v) for v in (t.subcategory, f"{t.amount:g}", t.unit,
                                                    t.condition)])

    def save_limits(self) -> bool:
        """Write the edited table to the store; a bad row is named and nothing is saved."""
        from twinviewer.core.cases import TimeLimit

        m = self.limit_model
        limits = []
        try:
            for r in range(m.rowCount()):
                cells = [(m.item(r, c).text() if m.item(r, c) else "").strip()
                         for c in range(4)]
                if not cells[0]:
                    continue
                try:
                    amount = float(cells[1])
                except ValueError:
                    raise CaseError(self.tr("row {row}: 时限 {value!r} is not a number").format(
                        row=r + 1, value=cells[1])) from None
                limits.append(TimeLimit(cells[0], amount, cells[2], cells[3]))
            self.store.set_limits(limits, replace=True)
        except Exception as exc:  # CaseError, StoreError: one line, nothing saved
            self.limit_message.setText(str(getattr(exc, "message", exc)))
            return False
        self.limit_message.setText(self.tr("{n} time limits saved").format(n=len(limits)))
        self.refresh()
        return True

    def open_calendar(self) -> None:
        """Show the working-calendar dialog (:mod:`twinviewer.ui.calendar_editor`)."""
        from twinviewer.ui.calendar_editor import CalendarDialog

        if self.store is None:
            return
        try:
            dialog = CalendarDialog(self.store, self)
        except Exception as exc:  # StoreError: the calendar cannot be read
            self.limit_message.setText(str(getattr(exc, "message", exc)))
            return
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.saved.connect(self._calendar_saved)
        self.calendar_dialog = dialog
        dialog.open()

    def _calendar_saved(self) -> None:
        self.limit_message.setText(self.tr("Working calendar saved; deadlines recounted"))
        self.refresh()  # the book is re-read with the new calendar: every deadline moves

    # -- dashboard ---------------------------------------------------------------------------
    def dashboard_tables(self) -> dict[str, pd.DataFrame]:
        d = self.derived
        if not len(d):
            return {}
        out = {}
        for key, name in (("category", "类别"), ("unit", "责任单位"), ("compound", "小区")):
            t = rates(d, key).reset_index().rename(columns={key: name})
            out[name] = t
        total = rates(d).reset_index(drop=True)
        out["合计"] = total
        return out

    def _draw_dashboard(self) -> None:

        tables = self.dashboard_tables()
        self.figure.clear()
        if not tables:
            self.rate_label.setText(self.tr("No cases"))
            self.canvas.draw_idle()
            return
        t = tables["合计"].iloc[0]

        def pct(v):
            return "-" if pd.isna(v) else f"{v * 100:.1f}%"

        self.rate_label.setText(self.tr(
            "Closed {closed} · on time {on_time} · rework {rework} · extended {ext}").format(
            closed=pct(t.closed_rate), on_time=pct(t.on_time_rate),
            rework=pct(t.rework_rate), ext=pct(t.extension_rate)))
        family = cjk_families()  # the CJK font file registered with matplotlib itself
        for i, name in enumerate(("类别", "责任单位")):
            ax = self.figure.add_subplot(2, 1, i + 1)
            df = tables[name].sort_values("cases").tail(10)
            ax.barh(df[name].astype(str), df["cases"], color="#9ecae1", label=self.tr("cases"))
            ax.barh(df[name].astype(str), df["closed"], color="#3182bd", label=self.tr("closed"))
            for lbl in ax.get_yticklabels():
                lbl.set_fontfamily(family)
            ax.set_title(name, fontfamily=family, fontsize=9)
            ax.tick_params(labelsize=7)
        self.figure.tight_layout()
        self.canvas.draw_idle()

    def export_csv(self, path) -> None:
        tables = self.dashboard_tables()
        frame = pd.concat([t.assign(分组=k) for k, t in tables.items()], ignore_index=True) \
            if tables else pd.DataFrame()
        export_csv(path, frame)

    def export_xlsx(self, path) -> None:
        sheets = dict(self.dashboard_tables())
        sheets["案件"] = self.derived.drop(columns=[c for c in ("x", "y") if c in self.derived])
        write_sheets(path, sheets)  # formula-safe, as every export

    def export_pdf(self, path) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self.figure)
        self.figure.savefig(str(path))
        FigureCanvasQTAgg(self.figure)  # back on the dock's canvas

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), "cases.csv",
                                              self.tr("CSV (*.csv)"))
        if path:
            self.export_csv(path)

    def export_xlsx_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export Excel"), "cases.xlsx",
                                              self.tr("Excel workbook (*.xlsx)"))
        if path:
            self.export_xlsx(path)

    def export_pdf_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export PDF"), "cases.pdf",
                                              self.tr("PDF (*.pdf)"))
        if path:
            self.export_pdf(path)


def install(window) -> CasesDock:
    """Add the dock to ``window`` and follow its scene (the one hook main_window calls)."""
    dock = CasesDock(window)
    # a tab beside the summary (right side), so the 3D view keeps its size
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.analysis.summary_dock, dock)
    window.inspector_dock.raise_()
    window.scene_loaded.connect(dock.bind)
    return dock


__all__ = ["FINAL", "CasesDock", "install"]
