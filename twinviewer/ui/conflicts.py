"""The conflict dialog: another editor saved the same cells; keep theirs or mine, field by field."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from twinviewer.store.base import Conflict

THEIRS, MINE = "theirs", "mine"


def _shown(value) -> str:
    return "∅" if value is None else str(value)


class ConflictDialog(QDialog):
    """One row per conflicting cell: object, field, the value read, theirs, mine, and a choice.

    ``choices()`` after ``exec()`` is ``{(layer, oid, field): "theirs" | "mine"}``.
    """

    def __init__(self, conflicts: list[Conflict], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.conflicts = list(conflicts)
        self.setWindowTitle(self.tr("Edits in conflict"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Someone else saved changes to the same fields of the same objects since you "
            "read them. Nothing was saved. Choose for each field which value to keep, then "
            "save again."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(len(self.conflicts), 7, self)
        self.table.setHorizontalHeaderLabels([
            self.tr("Layer"), self.tr("Object"), self.tr("Field"), self.tr("When you read it"),
            self.tr("Theirs (saved)"), self.tr("Mine"), self.tr("Keep")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.combos: list[QComboBox] = []
        for i, c in enumerate(self.conflicts):
            theirs = self.tr("(deleted)") if c.gone else _shown(c.theirs)
            for j, text in enumerate((c.layer, str(c.oid), c.field, _shown(c.base), theirs,
                                      _shown(c.mine))):
                self.table.setItem(i, j, QTableWidgetItem(text))
            combo = QComboBox(self.table)
            combo.addItem(self.tr("Theirs"), THEIRS)
            if not c.gone:
                combo.addItem(self.tr("Mine"), MINE)
            self.table.setCellWidget(i, 6, combo)
            self.combos.append(combo)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(self)
        self.all_theirs = QPushButton(self.tr("Keep all theirs"), self)
        self.all_mine = QPushButton(self.tr("Keep all mine"), self)
        buttons.addButton(self.all_theirs, QDialogButtonBox.ActionRole)
        buttons.addButton(self.all_mine, QDialogButtonBox.ActionRole)
        self.save_button = buttons.addButton(self.tr("Save with these choices"),
                                             QDialogButtonBox.AcceptRole)
        buttons.addButton(QDialogButtonBox.Cancel)
        self.all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        self.all_mine.clicked.connect(lambda: self.choose_all(MINE))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(820, 160 + 30 * min(len(self.conflicts), 12))

    def choose_all(self, choice: str) -> None:
        for combo in self.combos:
            k = combo.findData(choice)
            if k >= 0:
                combo.setCurrentIndex(k)

    def choices(self) -> dict[tuple, str]:
        return {(c.layer, c.oid, c.field): combo.currentData()
                for c, combo in zip(self.conflicts, self.combos, strict=True)}
