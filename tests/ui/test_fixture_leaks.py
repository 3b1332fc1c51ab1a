"""The main_window fixture sees widgets a test leaves open (and, unmarked, fails on them)."""

from __future__ import annotations

import pytest

KEPT = []  # what holds the dialog after the test returned: that makes it a leak


@pytest.mark.leaks_widgets  # on purpose: the fixture must see this dialog and close it
def test_a_dialog_left_open_is_seen(main_window, qtbot):
    from PySide6.QtWidgets import QDialog

    from tests.conftest import _open_top_level_widgets

    main_window()
    dialog = QDialog()
    dialog.setObjectName("leakProbe")
    dialog.show()
    KEPT.append(dialog)
    qtbot.waitExposed(dialog)
    assert dialog in _open_top_level_widgets()
