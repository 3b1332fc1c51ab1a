"""CityJSON documents and CityJSONSeq streams: reading, splitting into features, the CRS.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from twinviewer.core.layer import Layer
from twinviewer.i18n import translate
from twinviewer.io.cityjson.builder import _Builder
from twinviewer.io.cityjson.common import _SUFFIXES, _Bad, _kind, _lod_number, _short
from twinviewer.io.cityjson.vertices import _transform, _vertex_array


def _read(path: Path, name: str | None, lod: Any, max_bytes: int) -> Layer:
    lod_wanted = None
    if lod is not None:
        lod_wanted = _lod_number(lod)
        if lod_wanted is None:
            raise _Bad(translate("LoadError", "invalid LoD {lod!r} requested").format(lod=lod))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _Bad(translate("LoadError", "cannot open the file ({detail})").format(
            detail=exc.strerror or exc)) from None
    if not path.is_file():
        raise _Bad(translate("LoadError", "is not a file"))
    if size > max_bytes:
        raise _Bad(translate("LoadError", "file is {size:,} bytes, more than the limit of "
                                          "{limit:,} bytes").format(size=size, limit=max_bytes))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Bad(translate("LoadError", "cannot read the file ({detail})").format(
            detail=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Bad(translate("LoadError", "not a CityJSON file: the text is not UTF-8")) \
            from None
    del raw

    header, features = _split_documents(_parse_json(text))
    del text
    warnings: list[str] = []
    version = (header or {}).get("version")
    if header is not None and not (isinstance(version, str)
                                   and version.split(".")[0] in ("1", "2")):
        warnings.append(translate("LoadError", "unknown CityJSON version {version!r}; read as "
                                               "2.0").format(version=version))

    main = header if header is not None else features[0][1]
    transform = _transform(main.get("transform")) if header is not None else None
    crs = _crs_of(main, warnings)
    builder = _Builder(lod_wanted, main, warnings)
    if header is not None:
        verts = _vertex_array(header.get("vertices"), transform, "vertices")
        builder.add_document(header, verts, "")
    for line, feature in features:
        where = "" if line is None else _at_line(line)
        try:
            verts = _vertex_array(feature.get("vertices"), transform, "vertices")
        except _Bad as exc:
            raise _Bad(f"{where}{exc}") from None
        builder.add_document(feature, verts, where)
    layer_name = name if name is not None else _default_name(path)
    return builder.layer(layer_name, crs, str(path))


def _default_name(path: Path) -> str:
    fname = path.name
    low = fname.lower()
    for suffix in _SUFFIXES:
        if low.endswith(suffix) and len(fname) > len(suffix):
            return fname[: -len(suffix)]
    return path.stem or fname


def _parse_json(text: str) -> list[tuple[int | None, Any]]:
    """One document ``[(None, doc)]`` or the lines of a JSON sequence ``[(lineno, doc)...]``."""
    if not text.strip():
        raise _Bad(translate("LoadError", "not a CityJSON file: the file is empty"))
    try:
        return [(None, json.loads(text))]
    except RecursionError:
        raise _Bad(translate("LoadError", "invalid JSON: nested too deeply")) from None
    except ValueError as exc:
        whole = exc
    # Not one document: a CityJSONSeq (one JSON text per line)?
    docs: list[tuple[int | None, Any]] = []
    # Split on "\n" only: str.splitlines() would also cut at U+2028 inside JSON strings.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            docs.append((lineno, json.loads(line)))
        except RecursionError:
            raise _Bad(_at_line(lineno) + translate("LoadError", "invalid JSON: nested too "
                                                                 "deeply")) from None
        except ValueError as exc:
            if not docs:  # the first line is no JSON text either: report the whole file
                raise _Bad(translate("LoadError", "invalid JSON ({detail})").format(
                    detail=_json_error(whole))) from None
            raise _Bad(_at_line(lineno) + translate("LoadError", "invalid JSON ({detail})")
                       .format(detail=_json_error(exc))) from None
    return docs


def _at_line(line: int) -> str:
    """``"line 3: "`` in the user's language, before a message about that line."""
    return translate("LoadError", "line {line}: ").format(line=line)


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return translate("LoadError", "{problem} at line {line} column {column}").format(
            problem=exc.msg, line=exc.lineno, column=exc.colno)
    return str(exc)


def _split_documents(docs):
    """``(header or None, [(lineno, feature)...])``, checking each document's type."""
    header = None
    features = []
    for k, (line, doc) in enumerate(docs):
        where = "" if line is None else _at_line(line)
        if not isinstance(doc, dict):
            raise _Bad(where + translate("LoadError", "not a CityJSON file: expected a JSON "
                                                      "object, found {kind}").format(
                kind=_kind(doc)))
        dtype = doc.get("type")
        if dtype == "CityJSON" and k == 0:
            header = doc
        elif dtype == "CityJSONFeature":
            _check_feature(doc, where)
            features.append((line, doc))
        elif dtype == "CityJSON":
            raise _Bad(where + translate("LoadError", "a second CityJSON header inside a "
                                                      "CityJSONSeq"))
        elif dtype == "CityModel":
            raise _Bad(where + translate("LoadError", "CityJSON 0.x files ('type': 'CityModel') "
                                                      "are not supported; upgrade the file to "
                                                      "CityJSON 1.0 or later (e.g. with cjio)"))
        elif dtype is None:
            raise _Bad(where + translate("LoadError", "not a CityJSON file: no 'type' member "
                                                      "(expected 'CityJSON' or "
                                                      "'CityJSONFeature')"))
        else:
            raise _Bad(where + translate("LoadError", "not a CityJSON file: 'type' is {type} "
                                                      "(expected 'CityJSON' or "
                                                      "'CityJSONFeature')").format(
                type=_short(dtype)))
    return header, features


def _check_feature(doc: dict, where: str) -> None:
    objects = doc.get("CityObjects")
    if not isinstance(objects, dict):
        raise _Bad(where + translate("LoadError", "CityJSONFeature has no 'CityObjects' object"))
    root = doc.get("id")
    if not isinstance(root, str):
        raise _Bad(where + translate("LoadError", "CityJSONFeature has no 'id' (the id of its "
                                                  "main CityObject)"))
    if root not in objects:
        raise _Bad(where + translate("LoadError", "CityJSONFeature id {id!r} is not one of its "
                                                  "CityObjects").format(id=root))




def _crs_of(doc: dict, warnings: list[str]) -> str | None:
    meta = doc.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        raise _Bad(translate("LoadError", "'metadata' must be an object"))
    ref = meta.get("referenceSystem")
    if ref is None:
        old = meta.get("crs")  # CityJSON 0.x style {"epsg": 7415}
        if isinstance(old, dict) and isinstance(old.get("epsg"), int):
            return f"EPSG:{old['epsg']}"
        return None
    if not isinstance(ref, str):
        warnings.append(translate("LoadError", "ignored metadata.referenceSystem {value} (not "
                                               "a string)").format(value=_short(ref)))
        return None
    return normalise_crs(ref)


def normalise_crs(text: str) -> str | None:
    """``EPSG:NNNN`` from an OGC URL/URN (first code of a compound), else the text."""
    text = text.strip()
    codes = re.findall(r"EPSG(?:/[^/]*/|:[^:]*:|:)\s*(\d+)", text, flags=re.IGNORECASE)
    if codes:
        return f"EPSG:{int(codes[0])}"
    if re.search(r"CRS84\b", text, flags=re.IGNORECASE):
        return "OGC:CRS84"
    return text or None
