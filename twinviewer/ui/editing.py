"""The window's edit session: core commands on a QUndoStack, saving and the recovery journal."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from twinviewer.core.edits import GEOMETRY, Command, CommandStack, EditError, SetValues
from twinviewer.core.layer import Layer, PointBatch
from twinviewer.core.scene import Scene
from twinviewer.store import (
    ConflictError,
    GeoPackageStore,
    StoreError,
    StoreUnavailable,
    read_journal,
    write_journal,
)
from twinviewer.store.journal import Journal, restore_journal

log = logging.getLogger(__name__)

AUTOSAVE_MS = 5000


class _UndoStep(QUndoCommand):
    """One command of the core stack as a row of the Qt undo view.

    The core :class:`CommandStack` holds the history; the ``QUndoStack`` is a view of
    it that :meth:`EditSession._sync_view` keeps equal.  Undo and redo asked of the
    view (menu, shortcuts, a click in the history) move the core stack; what the view
    does while it is being synced moves nothing.
    """

    def __init__(self, session: EditSession, label: str) -> None:
        super().__init__(label)
        self.session = session

    def redo(self) -> None:
        self.session._from_view(self.session.stack.redo)

    def undo(self) -> None:
        self.session._from_view(self.session.stack.undo)


class EditSession(QObject):
    """Edits of one scene: the core :class:`CommandStack` (the one history), the
    ``QUndoStack`` that shows it to Qt's undo actions and view, and the store.

    Signals
    -------
    failed(str)
        An edit was refused or a save failed; the message says why.
    saved(str)
        Pending edits were written (the message says how many).
    modified(bool)
        Whether edits are pending (title asterisk).
    changed(object, object, object)
        Re-emits ``CommandStack.changed`` on the GUI thread (layer, rows, fields).
    """

    failed = Signal(str)
    saved = Signal(str)
    modified = Signal(bool)
    changed = Signal(object, object, object)
    conflicted = Signal(object)  # ConflictError of a PostGIS save (team editing)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.stack: CommandStack | None = None
        self.undo_stack = QUndoStack(self)  # a view of self.stack, see _sync_view
        self._syncing = False  # the view is being made equal to the core stack
        self._viewing = False  # the view asked the core stack to undo or redo
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.write_journal)
        self._journal_index: tuple | None = None
        self._stores: dict = {}  # PostGIS URL -> this session's PostGISStore
        self.needs_retry = False  # a PostGIS save failed because the server was away
        self._new_stack(CommandStack())

    # ---- scene and store
    def set_scene(self, scene: Scene) -> None:
        """Start a fresh history for ``scene``; field types come from its store."""
        self.scene = scene
        self._new_stack(CommandStack())
        self._journal_index = None
        self.autosave_timer.stop()
        for layer in scene.layers:
            self.declare_layer(layer)
        self.modified.emit(False)

    def _new_stack(self, stack: CommandStack) -> None:
        """Make ``stack`` the session's history (the old one's signals are let go)."""
        old = getattr(self, "stack", None)
        if old is not None:
            old.changed.disconnect(self.changed.emit)
            old.clean_changed.disconnect(self._on_clean)
            old.index_changed.disconnect(self._sync_view)
            old.clean_changed.disconnect(self._sync_view)
        self.stack = stack
        self.stack.changed.connect(self.changed.emit)
        self.stack.clean_changed.connect(self._on_clean)
        self.stack.index_changed.connect(self._sync_view)
        self.stack.clean_changed.connect(self._sync_view)
        self._sync_view()

    def _from_view(self, move) -> None:
        """An undo or redo the Qt view asked for: the core stack moves (the view has
        already moved itself)."""
        if self._syncing:
            return
        self._viewing = True
        try:
            move()
        finally:
            self._viewing = False

    def _sync_view(self, *_args) -> None:
        """Make the ``QUndoStack`` show the core stack: its commands, index and clean
        state.  Nothing here moves the core stack."""
        if self._viewing:
            return
        view, core = self.undo_stack, self.stack
        labels = core.labels
        shown = [view.text(i) for i in range(view.count())]
        self._syncing = True
        try:
            if shown != labels:
                if shown != labels[:len(shown)]:
                    view.clear()
                    shown = []
                view.setIndex(view.count())
                for label in labels[len(shown):]:
                    view.push(_UndoStep(self, label))
            saved = core.saved_index
            if saved is None:
                view.resetClean()
            elif view.cleanIndex() != saved:
                view.setIndex(saved)
                view.setClean()
            view.setIndex(core.index)
        finally:
            self._syncing = False

    def history_touches(self, layer: Layer) -> bool:
        """Whether a command on the undo history edits ``layer``."""
        return self.stack.touches(layer)

    def forget_history(self) -> None:
        """Drop the undo history (nothing pending): another editor's objects shifted its rows.

        Field types stay declared; the window stays clean.
        """
        if not self.stack.is_clean:
            raise RuntimeError("forget_history with pending edits")
        schemas = self.stack.schemas
        self._new_stack(CommandStack())
        self.stack.schemas = schemas

    def declare_layer(self, layer: Layer) -> None:
        """Declared field types (value lists) of a layer read from a store (its provider)."""
        store = self.store_of(layer)
        if store is None:
            return
        try:
            schema = store.schema(layer.provider.table)
        except StoreError as exc:
            log.info("no schema for %s: %s", layer.name, exc.message)
            return
        self.stack.declare_schema(layer.name, schema)

    def store_of(self, layer: Layer):
        """This session's store for ``layer``'s provider (None: a plain file's layer).

        One PostGIS store per URL, which keeps its own save ids and conflict choices
        across saves; a GeoPackage store holds no state and is opened afresh.
        """
        provider = layer.provider
        if provider is None:
            return None
        if provider.kind != "postgis":
            return provider.open_store()
        if provider.key not in self._stores:
            self._stores[provider.key] = provider.open_store()
        return self._stores[provider.key]

    def _providers(self, kind: str) -> list:
        layers = self.scene.layers if self.scene is not None else []
        return [lyr.provider for lyr in layers
                if lyr.provider is not None and lyr.provider.kind == kind]

    def store_paths(self) -> list[Path]:
        """The GeoPackages the scene's layers come from."""
        return list(dict.fromkeys(Path(p.key) for p in self._providers("gpkg")))

    @property
    def store_path(self) -> Path | None:
        paths = self.store_paths()
        return paths[0] if paths else None

    def postgis_url(self) -> str | None:
        """The PostGIS store (password-less URL) the scene's layers come from, if any."""
        found = self._providers("postgis")
        return found[0].key if found else None

    def postgis_store(self, url: str):
        """This session's store for ``url`` (its own save ids and conflict choices)."""
        if url not in self._stores:
            from twinviewer.store.postgis import PostGISStore

            self._stores[url] = PostGISStore(url)
        return self._stores[url]

    def store(self):
        """The store saves go to: the scene's PostGIS twin, else its GeoPackage."""
        if self.postgis_url():
            return self.postgis_store(self.postgis_url())
        path = self.store_path
        return None if path is None else self._gpkg_store(path)

    def _gpkg_store(self, path: Path):
        return GeoPackageStore(path)

    @property
    def journal_path(self) -> Path | None:
        """``scene.toml.journal`` beside the scene file, else ``STORE.gpkg.journal``."""
        if self.scene is not None and self.scene.path:
            p = Path(self.scene.path)
            return p.with_name(p.name + ".journal")
        store = self.store_path
        return None if store is None else store.with_name(store.name + ".journal")

    # ---- editing
    @property
    def is_clean(self) -> bool:
        return self.stack.is_clean

    def push(self, command: Command) -> bool:
        """Apply ``command`` as one undo step; ``False`` (and ``failed``) when refused."""
        try:
            self.stack.push(command)
        except EditError as exc:
            self.failed.emit(exc.message)
            return False
        return True

    def set_values(self, layer: Layer, rows, field: str, value, *, label: str | None = None
                   ) -> bool:
        """Set ``field`` of ``rows`` to ``value`` (one value for all) as one undo step."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            return False
        return self.push(SetValues(layer, rows, field, value, label=label))

    def field_type(self, layer: Layer, field: str):
        return self.stack.field_type(layer, field)

    def next_oid(self, layer: Layer):
        """An object id unused in the layer and, for a store's layer, in its table."""
        oids = layer.table.df["oid"]
        top = int(oids.max()) + 1 if len(oids) and oids.dtype.kind in "iu" else 1
        store = self.store_of(layer)
        if store is not None:
            try:
                top = max(top, store.next_oid(layer.provider.table))
            except StoreError:
                pass
        return top

    # ---- saving
    def save(self) -> bool:
        """Write every pending edit to the store in one transaction."""
        if self.postgis_url():
            return self._save_postgis(self.postgis_url())
        paths = self.store_paths()
        if not paths:
            self.failed.emit(self.tr("These layers are not in a GeoPackage store: import them "
                                     "first (twinviewer import … --into DISTRICT.gpkg)."))
            return False
        if len(paths) > 1:
            names = {layer.name for step in self.stack.pending() for ch in step.changes()
                     for layer in [ch.layer]}
            used = {Path(lyr.provider.key) for lyr in self.scene.layers
                    if lyr.name in names and lyr.provider is not None
                    and lyr.provider.kind == "gpkg"}
            if len(used) > 1:
                self.failed.emit(self.tr("Pending edits span several GeoPackages; "
                                         "saving them in one transaction is not possible."))
                return False
            paths = sorted(used) or paths
        try:
            report = self._gpkg_store(paths[0]).save(self.stack, scene=self.scene)
        except StoreError as exc:
            self.failed.emit(exc.message)
            return False
        except EditError as exc:
            self.failed.emit(exc.message)
            return False
        self.remove_journal()
        self.saved.emit(self.tr("Saved {n} changes to {file}").format(
            n=report.changes, file=paths[0].name))
        return True

    def _save_postgis(self, url: str) -> bool:
        """Save to PostGIS: conflicts go to ``conflicted``, a lost server to a retry."""
        store = self.postgis_store(url)
        try:
            report = store.save(self.stack, scene=self.scene)
        except ConflictError as exc:
            self.needs_retry = False
            self.conflicted.emit(exc)
            return False
        except StoreUnavailable as exc:
            self.needs_retry = True  # pending edits kept; saved again when it is back
            self.failed.emit(exc.message)
            return False
        except (StoreError, EditError) as exc:
            self.needs_retry = False
            self.failed.emit(exc.message)
            return False
        self.needs_retry = False
        self.remove_journal()
        self.saved.emit(self.tr("Saved {n} changes to {file}").format(
            n=report.changes, file=store.url))
        return True

    def discard(self) -> None:
        """Forget pending edits on close: the journal goes too."""
        self.autosave_timer.stop()
        self.remove_journal()

    def _on_clean(self, clean: bool) -> None:
        if clean:
            self.autosave_timer.stop()
        else:
            self.autosave_timer.start()
        self.modified.emit(not clean)

    # ---- recovery journal
    def write_journal(self) -> bool:
        """Write pending edits to the recovery journal (removed when none are pending)."""
        path = self.journal_path
        if path is None:
            return False
        state = (self.stack.index, len(self.stack), self.stack.is_clean)
        if state == self._journal_index and path.exists() == (not self.stack.is_clean):
            return path.exists()
        try:
            exists = write_journal(self.stack, path, store=self.store_path)
        except (OSError, ValueError, TypeError) as exc:
            log.warning("recovery journal not written: %s", exc)
            return False
        self._journal_index = state
        return exists

    def remove_journal(self) -> None:
        path = self.journal_path
        if path is not None:
            path.unlink(missing_ok=True)
        self._journal_index = None

    def pending_journal(self) -> Journal | None:
        """The journal a crashed session left for this scene, if any."""
        path = self.journal_path
        if path is None or not path.exists():
            return None
        try:
            return read_journal(path)
        except StoreError as exc:
            self.failed.emit(exc.message)
            return None

    def restore(self, journal: Journal) -> list[str]:
        """Replay a journal's steps as undoable edits; returns the steps that failed."""
        return restore_journal(journal, self.scene.layers, self.stack)


def needs_rebuild(layer: Layer, fields) -> bool:
    """Whether an edit of ``fields`` changes what is drawn, not only its colour."""
    if fields is None:
        return True
    if GEOMETRY in fields:
        return True
    has_points = any(isinstance(b, PointBatch) for b in layer.batches)
    return has_points and layer.class_field in fields
