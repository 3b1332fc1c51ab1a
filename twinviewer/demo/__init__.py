"""Demo data: a deterministic, fictional Shanghai sub-district (街道) to explore the viewer.

:func:`twinviewer.demo.generator.generate_district` writes ``district.gpkg`` and
``scene.toml``; ``python -m twinviewer.demo.generator OUT [--objects N]`` does the same
from the command line.

:func:`demo_scene` is the one place that knows where the demo is: the window's
"Open demo scene", ``twinviewer`` without arguments, ``twinviewer info`` and
``twinviewer render --out FILE.png`` without a path all ask it.  In a source
checkout that is ``scenes/demo/scene.toml``; an installed wheel has no
``scenes/`` folder, so the demo is generated (about a second) into the user's
data folder on first use and opened from there afterwards.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_OBJECTS = 6000
"""Objects of the bundled demo (``twinviewer demo``'s default): the same files as
``scenes/demo``."""

APP_NAME = "twinviewer"

Progress = Callable[[float, str], None]


def checkout_demo() -> Path | None:
    """``scenes/demo/scene.toml`` of the source checkout this package runs from, if any."""
    import twinviewer

    scene = Path(twinviewer.__file__).resolve().parents[1] / "scenes" / "demo" / "scene.toml"
    return scene if scene.is_file() else None


def user_data_dir() -> Path:
    """The user's data folder for twinviewer, as Qt's ``AppLocalDataLocation`` names it.

    ``$XDG_DATA_HOME/twinviewer`` (default ``~/.local/share/twinviewer``) on
    Linux, ``~/Library/Application Support/twinviewer`` on macOS and
    ``%LOCALAPPDATA%\\twinviewer`` on Windows.  Not created here.
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME", "").strip()
        if not base or not Path(base).is_absolute():  # the XDG spec: ignore relative paths
            base = str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def generated_demo_dir() -> Path:
    """Where :func:`demo_scene` generates the demo outside a source checkout."""
    return user_data_dir() / "demo"


def demo_scene(progress: Progress | None = None, *, checkout: bool = True) -> Path:
    """The demo scene file, generated into :func:`generated_demo_dir` when missing.

    Parameters
    ----------
    progress : callable(fraction, message), optional
        Told how the generation advances (only called when the demo is generated).
    checkout : bool, default: True
        Use ``scenes/demo`` of a source checkout when there is one; ``False``
        behaves as an installed wheel does.

    Returns
    -------
    pathlib.Path
        ``scene.toml`` of the demo.

    Raises
    ------
    LoadError
        When the data folder cannot be written.

    Examples
    --------
    >>> from twinviewer.demo import demo_scene
    >>> demo_scene().name
    'scene.toml'
    """
    if checkout and (scene := checkout_demo()) is not None:
        return scene
    folder = generated_demo_dir()
    scene = folder / "scene.toml"
    if scene.is_file() and (folder / "district.gpkg").is_file():
        return scene
    try:
        return _generate(folder, progress)
    except OSError as exc:
        from twinviewer.core.errors import LoadError
        from twinviewer.i18n import translate

        raise LoadError(translate("LoadError", "cannot write the demo scene ({detail})")
                        .format(detail=exc.strerror or exc), folder) from None


def _generate(folder: Path, progress: Progress | None) -> Path:
    """Generate into a sibling folder and rename it into place: an interrupted run leaves
    no half-written demo, and of two processes generating at once one wins."""
    from twinviewer.demo.generator import generate_district

    folder.parent.mkdir(parents=True, exist_ok=True)
    log.info("generating the demo scene into %s", folder)
    work = folder.parent / f".demo-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work.mkdir()  # not mkdtemp: the demo folder gets the user's usual permissions
    try:
        generate_district(work, objects=DEMO_OBJECTS, progress=progress)
        if folder.exists():  # an incomplete earlier demo (or another process's)
            if (folder / "scene.toml").is_file() and (folder / "district.gpkg").is_file():
                return folder / "scene.toml"
            shutil.rmtree(folder)
        try:
            work.rename(folder)
        except OSError:
            if not (folder / "scene.toml").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return folder / "scene.toml"
