"""The working-calendar dialog of the Cases & Alerts dock: working weekdays, office hours,
holidays (休息) and make-up working days (上班, 调休).

The dialog edits a copy: :meth:`CalendarDialog.calendar` builds a
:class:`~twinviewer.core.calendar.WorkingCalendar` from the widgets, and Save writes it
to the scene's case store (the GeoPackage or the PostGIS twin alike, through
``save_calendar``).  A refused value or a refused write is one line in the dialog,
which then stays open; after a save the dock re-reads the cases, so every deadline is
counted again on the new calendar.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
)

from twinviewer.core.calendar import HOLIDAY, WORKDAY, CalendarError, WorkingCalendar


class CalendarDialog(QDialog):
    """Edit and save the working calendar of ``store`` (a case store).

    Parameters
    ----------
    store : CaseTables
        The scene's case store; its calendar is read when the dialog opens.
    parent : QWidget, optional
    """

    # emitted after the calendar was written to the store
    saved = Signal()

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(self.tr("Working calendar"))
        cal = store.calendar()
        self.days: dict[_dt.date, str] = {d: HOLIDAY for d in cal.holidays}
        self.days.update({d: WORKDAY for d in cal.workdays})

        names = (self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
                 self.tr("Fri"), self.tr("Sat"), self.tr("Sun"))
        row = QHBoxLayout()
        self.day_boxes: list[QCheckBox] = []
        for i, name in enumerate(names):
            box = QCheckBox(name, self)
            box.setChecked(i in set(cal.weekdays))
            self.day_boxes.append(box)
            row.addWidget(box)
        row.addStretch(1)
        self.start_edit = QTimeEdit(_time(cal.start), self)
        self.end_edit = QTimeEdit(_time(cal.end), self)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("HH:mm")
        hours = QHBoxLayout()
        hours.addWidget(self.start_edit)
        hours.addWidget(QLabel("–", self))
        hours.addWidget(self.end_edit)
        hours.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Working days"), row)
        form.addRow(self.tr("Office hours"), hours)

        self.date_picker = QCalendarWidget(self)
        self.date_picker.setGridVisible(True)
        self.date_picker.setFirstDayOfWeek(Qt.Monday)
        self.add_holiday_button = QPushButton(self.tr("Add holiday (休息)"), self)
        self.add_workday_button = QPushButton(self.tr("Add make-up working day (上班)"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.add_holiday_button.clicked.connect(lambda: self.add_day(self._picked(), HOLIDAY))
        self.add_workday_button.clicked.connect(lambda: self.add_day(self._picked(), WORKDAY))
        self.remove_button.clicked.connect(self.remove_selected)
        self.day_list = QListWidget(self)
        self.day_list.setSelectionMode(QListWidget.ExtendedSelection)
        self.day_list.itemDoubleClicked.connect(self._show_day)
        buttons = QVBoxLayout()
        for b in (self.add_holiday_button, self.add_workday_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        dates = QHBoxLayout()
        dates.addWidget(self.date_picker)
        dates.addLayout(buttons)
        dates.addWidget(self.day_list, 1)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        box = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        self.save_button = box.button(QDialogButtonBox.Save)
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel(self.tr("Holidays and make-up working days"), self))
        lay.addLayout(dates, 1)
        lay.addWidget(self.message)
        lay.addWidget(box)
        self._fill()

    # -- the list of exceptions ------------------------------------------------------
    def _kind_text(self, kind: str) -> str:
        return self.tr("holiday (休息)") if kind == HOLIDAY else \
            self.tr("make-up working day (上班)")

    def _fill(self) -> None:
        self.day_list.clear()
        for day in sorted(self.days):
            item = QListWidgetItem(f"{day.isoformat()}  {self._kind_text(self.days[day])}")
            item.setData(Qt.UserRole, day.isoformat())
            self.day_list.addItem(item)

    def _picked(self) -> _dt.date:
        return self.date_picker.selectedDate().toPython()

    def add_day(self, day: _dt.date, kind: str) -> None:
        """Mark ``day`` a holiday or a make-up working day (replacing what it was)."""
        self.days[day] = kind
        self._fill()
        self.message.setText(self.tr("{day} added: {kind}").format(day=day.isoformat(),
                                                            kind=self._kind_text(kind)))

    def remove_selected(self) -> None:
        for item in self.day_list.selectedItems():
            self.days.pop(_dt.date.fromisoformat(item.data(Qt.UserRole)), None)
        self._fill()

    def listed_days(self) -> list[tuple[str, str]]:
        """What the list shows, as ``(ISO date, 休息|上班)`` rows."""
        return [(d.isoformat(), self.days[d]) for d in sorted(self.days)]

    def _show_day(self, item: QListWidgetItem) -> None:
        self.date_picker.setSelectedDate(QDate.fromString(item.data(Qt.UserRole), Qt.ISODate))

    # -- the result --------------------------------------------------------------------
    def calendar(self) -> WorkingCalendar:
        """The calendar the widgets describe; :class:`CalendarError` when it cannot be."""
        weekdays = tuple(i for i, b in enumerate(self.day_boxes) if b.isChecked())
        return WorkingCalendar(
            weekdays=weekdays, start=self.start_edit.time().toString("HH:mm"),
            end=self.end_edit.time().toString("HH:mm"),
            holidays={d for d, k in self.days.items() if k == HOLIDAY},
            workdays={d for d, k in self.days.items() if k == WORKDAY})

    def save(self) -> bool:
        """Write the calendar to the store; on a refusal say why in one line and stay open."""
        try:
            cal = self.calendar()
            self.store.save_calendar(cal)
        except CalendarError as exc:
            self.message.setText(exc.message)
            return False
        except Exception as exc:  # StoreError (a permission, a locked file): one line
            self.message.setText(str(getattr(exc, "message", exc)))
            return False
        self.saved.emit()
        self.accept()
        return True


def _time(text: str) -> QTime:
    t = QTime.fromString(text, "HH:mm")
    return t if t.isValid() else QTime(23, 59)  # "24:00" has no QTime
