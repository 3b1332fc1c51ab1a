"""CityJSON reader: CityJSON 1.0/1.1/2.0 files and CityJSONSeq streams as one layer.

One row per CityObject (every object counts, with or without geometry) and the
geometry of the chosen LoD batched per primitive kind: surfaces are triangulated
into one :class:`TriangleBatch` (coloured by semantic surface or material), line
strings become one :class:`LineBatch`, points one :class:`PointBatch`.

Anything wrong with the file is reported as a :class:`LoadError` naming the file,
and where possible the CityObject or line, in one sentence.

A package by idea: :mod:`.documents` (documents and CityJSONSeq), :mod:`.vertices`
(vertices and limits), :mod:`.builder` (rows and batches), :mod:`.appearance`
(colours) and :mod:`.triangulation` (public: planar surfaces with holes in 3D).
"""

from __future__ import annotations

from pathlib import Path

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.io.cityjson.appearance import DEFAULT_COLOR, SEMANTIC_COLORS
from twinviewer.io.cityjson.common import _Bad, _describe
from twinviewer.io.cityjson.documents import _read, normalise_crs
from twinviewer.io.cityjson.triangulation import triangulate_surfaces
from twinviewer.io.cityjson.vertices import DEFAULT_MAX_BYTES, MAX_ABS_COORD, MAX_VERTICES

__all__ = ["DEFAULT_COLOR", "DEFAULT_MAX_BYTES", "MAX_ABS_COORD", "MAX_VERTICES",
           "SEMANTIC_COLORS", "normalise_crs", "read_cityjson", "triangulate_surfaces"]


def read_cityjson(
    path: str | Path,
    *,
    name: str | None = None,
    lod: str | float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Layer]:
    """Read a CityJSON file (``.city.json``/``.json``) or CityJSONSeq (``.jsonl``).

    Parameters
    ----------
    path : str or Path
        The file.
    name : str, optional
        Layer name; default the file name without its CityJSON suffix.
    lod : str or float, optional
        LoD to show (``"2.2"``, ``1.2``...).  Default: the highest LoD of each
        object.  Objects without the requested LoD get no geometry.
    max_bytes : int
        Larger files are refused with a :class:`LoadError`.

    Returns
    -------
    list of Layer
        Exactly one layer of ``kind="cityjson"``.

    Raises
    ------
    LoadError
        For any file that cannot be read (never another exception type).
    """
    p = Path(path)
    try:
        return [_read(p, name, lod, max_bytes)]
    except LoadError:
        raise
    except _Bad as exc:
        raise LoadError(str(exc), p) from None
    except MemoryError:
        raise LoadError(translate("LoadError", "not enough memory to read this file"),
                        p) from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
            RecursionError, ArithmeticError) as exc:
        raise LoadError(_describe(exc), p) from None

