"""A message bar above the 3D view (as in QGIS): errors never block with a modal dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class MessageBar(QWidget):
    """Shows the latest messages; the user closes it when read."""

    STYLES = {
        "error": "background:#fbe3e4; color:#7a1c1f; border:1px solid #e8a3a6;",
        "warning": "background:#fff4d6; color:#6b4e00; border:1px solid #e9cf7d;",
        "info": "background:#e3f0fb; color:#16456e; border:1px solid #9cc3e6;",
    }

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setObjectName("messageText")
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip(self.tr("Close"))
        close.clicked.connect(self.clear)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.messages: list[str] = []
        self.hide()

    def push(self, text: str, level: str = "error") -> None:
        self.messages.append(text)
        shown = self.messages[-6:]
        more = len(self.messages) - len(shown)
        body = "\n".join(shown) + (f"\n(+{more})" if more else "")
        self.label.setText(body)
        self.setStyleSheet(f"#messageBar {{{self.STYLES.get(level, '')}}}")
        self.label.setStyleSheet(self.STYLES.get(level, "").split("border")[0])
        self.show()

    def clear(self) -> None:
        self.messages.clear()
        self.label.clear()
        self.hide()
