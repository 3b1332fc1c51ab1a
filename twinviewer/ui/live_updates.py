"""Team editing in the window: other editors' saves appear live, conflicts are settled.

:class:`TeamEditing` follows the window's scene: when it comes from a PostGIS
twin it LISTENs for commits (polled every 200 ms on the GUI thread; the poll
never blocks) and writes other editors' new values into the layers in place,
then announces them through the edit session's ``changed`` signal, so the 3D
view, the table and the inspector refresh as after a local edit.  Cells with
unsaved local edits are left alone (saving them will report a conflict).
Objects another editor moved are moved in place; objects added or deleted, and
fields added, renamed or deleted, make the layer's rows be read again and its
geometry rebuilt in place (at once when nothing of that layer is pending here,
else right after this window's save).  Such a reload ends an undo history that
refers to the layer's rows.  A dropped connection is noticed; when the server is
back the layers are re-read in full (notices may have been missed) and a save
that failed because the server was away is retried.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QInputDialog, QLineEdit

from twinviewer.core.crs import place_layer
from twinviewer.core.edits import GEOMETRY, OBJECT
from twinviewer.core.errors import LoadError
from twinviewer.core.ground_layer import from_stored, moved_height, settle_on_terrain
from twinviewer.io.loader import spec_for
from twinviewer.store import StoreError, postgis
from twinviewer.store.postgis import Listener, Notice, is_postgis_url
from twinviewer.store.postgis.merge import merge_values, move_points
from twinviewer.ui.conflicts import ConflictDialog

log = logging.getLogger(__name__)

POLL_MS = 200
RETRY_SAVE_S = 2.0


class TeamEditing(QObject):
    """Live updates and conflict handling of one :class:`MainWindow` on a PostGIS twin."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.listener: Listener | None = None
        self.url: str | None = None
        self._last_retry = 0.0
        self._stale: list = []  # layers to read again once nothing of theirs is pending
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        window.scene_loaded.connect(self.follow_scene)
        window.edits.conflicted.connect(self.on_conflicts)
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.window and event.type() == QEvent.Close:
            self.stop()
        return False

    # ---- following the scene
    def follow_scene(self) -> None:
        """(Re)start listening when the window's scene comes from a PostGIS twin."""
        if postgis.login_refused and self._ask_passwords():
            return
        url = self.window.edits.postgis_url()
        if url == self.url and self.listener is not None:
            return
        self.stop()
        if url is None:
            return
        self.url = url
        self.listener = self.window.edits.postgis_store(url).listen()
        self.timer.start()
        self._tell_hidden()

    def ask_password(self, url: str) -> str | None:
        """A password for ``url`` from the user, or None; tests replace this."""
        text, ok = QInputDialog.getText(
            self.window, self.tr("Password"),
            self.tr("Password for {url}\n(kept in memory only; put it in ~/.pgpass to "
                    "avoid this question)").format(url=url), QLineEdit.Password)
        return text if ok and text else None

    def _ask_passwords(self) -> bool:
        """Ask for the passwords a load lacked; True when the scene is opened again."""
        path = self.window.scene.path
        if not path:
            return False
        try:  # only the twins this scene names (the set is process-wide)
            spec = spec_for([path])
        except LoadError:
            return False
        urls = {postgis.safe_dsn(str(e.source)) for e in spec.layers
                if is_postgis_url(e.source)}
        asked = False
        for url in sorted(urls & postgis.login_refused):
            password = self.ask_password(url)
            postgis.login_refused.discard(url)
            if password is not None:
                postgis.remember_password(url, password)
                asked = True
        if asked:
            QTimer.singleShot(0, lambda: self.window.open_paths([path]))
        return asked

    def _tell_hidden(self) -> None:
        for layer in self.window.scene.layers:
            hidden = layer.hidden_fields
            if is_postgis_url(layer.source) and hidden:
                why = "; ".join(sorted(set(hidden.values())))
                self.window.message_bar.push(self.tr(
                    "Layer {layer}: fields {fields} are hidden ({why})").format(
                        layer=layer.name, fields=", ".join(hidden), why=why), "info")

    def stop(self) -> None:
        self.timer.stop()
        if self.listener is not None:
            self.listener.close()
        self.listener = None
        self.url = None
        self._stale = []

    def _layers(self, table: str | None = None) -> list:
        return [lyr for lyr in self.window.scene.layers
                if is_postgis_url(lyr.source) and str(lyr.source) == self.url
                and (table is None or (lyr.source_table or lyr.name) == table)]

    # ---- live updates
    def poll(self) -> None:
        """Apply what other editors saved since the last poll (never blocks)."""
        if self.listener is None:
            return
        notices = self.listener.poll()
        if notices is None:  # the connection came back: notices may be lost, re-read all
            self.window.statusBar().showMessage(self.tr("Reconnected to the team store"), 5000)
            for layer in self._layers():
                self.refresh(layer, None)
            notices = []
        edits = self.window.edits
        if edits.needs_retry and self.listener.connected and \
                time.monotonic() - self._last_retry > RETRY_SAVE_S:
            self._last_retry = time.monotonic()
            edits.save()
        if self._stale and edits.is_clean:
            for layer in list(self._stale):
                self.reload(layer)
        own = self.window.edits.postgis_store(self.url).own_saves
        for note in notices:
            if note.save in own:
                continue
            for layer in self._layers(note.layer):
                self.apply(layer, note)

    def apply(self, layer, note: Notice) -> None:
        """What one notice says changed in ``layer``: rows, positions, then values."""
        if note.structural or note.moved is None:
            self.reload(layer)
            return
        if note.moved:
            self.move(layer, note.moved)
        if note.oids is None or note.oids:
            self.refresh(layer, note)

    def reload(self, layer) -> bool:
        """Read ``layer``'s rows and geometry again and rebuild it in place.

        Deferred (to right after this window's save) while the layer has pending
        edits, whose rows must not shift; an undo history on the layer ends.
        """
        edits = self.window.edits
        if any(name == layer.name for name, _oid, _field in edits.stack.dirty):
            if layer not in self._stale:
                self._stale.append(layer)
            return False
        if layer in self._stale:
            self._stale.remove(layer)
        store = edits.postgis_store(self.url)
        try:
            fresh = store.read_layer(layer.source_table or layer.name, name=layer.name,
                                     **layer.provider.read_options)
        except (StoreError, LoadError) as exc:
            log.info("reload of %s skipped: %s", layer.name, getattr(exc, "message", exc))
            return False
        scene = self.window.scene
        place_layer(fresh, scene.crs, scene.origin)
        settle_on_terrain([*scene.layers, fresh])  # on the DEM, as when the scene opened
        if edits.history_touches(layer):
            edits.forget_history()
            self.window.statusBar().showMessage(self.tr(
                "Another editor added or deleted objects in {layer}: the undo history "
                "was cleared").format(layer=layer.name), 8000)
        layer.table.df = fresh.table.df
        layer.batches[:] = fresh.batches
        layer.flat_rows = getattr(fresh, "flat_rows", None)
        layer.provider = fresh.provider  # its row versions and hidden fields as read now
        layer.sensitive = frozenset(set(layer.sensitive) | set(fresh.sensitive))
        layer.geometry_changed()
        edits.declare_layer(layer)
        edits.changed.emit(layer, None, None)
        return True

    def move(self, layer, oids) -> int:
        """Put objects another editor moved where they now stand; objects moved."""
        edits = self.window.edits
        store = edits.postgis_store(self.url)
        table = layer.source_table or layer.name
        try:
            found = store.points(table, oids, self.window.scene)
            flat = not store.has_z(table)
        except StoreError as exc:
            log.info("live move in %s skipped: %s", layer.name, exc.message)
            return 0
        layers = self.window.scene.layers

        def place(old, new):  # on the terrain as the loader sets them
            if flat:  # the window's height above the ground, at the new place
                new[:, 2] += moved_height(layer, layers, old, new[0]) - old[0, 2]
                return new
            return from_stored(layer, layers, new)

        moved = move_points(layer, found, edits.stack.dirty, flat=flat, place=place)
        if moved is None:
            self.reload(layer)  # instances added or dropped: read the layer again
            return 0
        if len(moved):
            edits.changed.emit(layer, moved, (GEOMETRY,))
        return len(moved)

    def refresh(self, layer, note: Notice | None) -> int:
        """Write the store's current values of noticed objects into ``layer``; cells changed."""
        store = self.window.edits.postgis_store(self.url)
        table = layer.source_table or layer.name
        try:
            rows = store.fetch(table, note.oids if note is not None else None, versions=True)
        except StoreError as exc:
            log.info("live update of %s skipped: %s", layer.name, exc.message)
            return 0
        rows, fields, cells = merge_values(layer, rows, self.window.edits.stack.dirty,
                                           note.fields if note is not None else None)
        if cells:
            self.window.edits.changed.emit(layer, rows, fields)
        return cells

    # ---- conflicts
    def ask(self, conflicts) -> dict | None:
        """The user's choice per conflicting cell, or None (cancel); tests replace this."""
        dialog = ConflictDialog(conflicts, self.window)
        if dialog.exec() != ConflictDialog.Accepted:
            return None
        return dialog.choices()

    def on_conflicts(self, error) -> None:
        """Show the conflicts; settle them as chosen and save again."""
        choices = self.ask(error.conflicts)
        if choices is None:
            self.window.message_bar.push(self.tr(
                "{n} edits conflict with changes saved by someone else; nothing was saved "
                "and your edits are kept.").format(n=len(error.conflicts)), "warning")
            return
        store = self.window.edits.postgis_store(self.url or self.window.edits.postgis_url())
        store.resolve(error.conflicts, choices)
        for c in error.conflicts:  # a move or deletion not saved: show theirs after the save
            if c.field in (GEOMETRY, OBJECT) and c.layer_object is not None and \
                    choices.get((c.layer, c.oid, c.field), "theirs") == "theirs" and \
                    c.layer_object not in self._stale:
                self._stale.append(c.layer_object)
        for c in error.conflicts:  # cells now showing theirs
            if choices.get((c.layer, c.oid, c.field)) == "theirs" and c.layer_object is not None:
                rows = np.flatnonzero(c.layer_object.table.df["oid"].to_numpy() == c.oid)
                self.window.edits.changed.emit(c.layer_object, rows.astype(np.int64),
                                               (c.field,))
        self.window.edits.save()
