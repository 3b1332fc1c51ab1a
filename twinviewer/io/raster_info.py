"""The lines ``twinviewer info`` prints for a raster layer."""

from __future__ import annotations

from twinviewer.i18n import translate


def raster_lines(info: dict) -> list[str]:
    """Size, bands, dtype, CRS, bounds, nodata and overviews, one line each (a
    basemap: its tile matrix set, zoom levels and extent)."""
    b = info.get("bounds") or (0, 0, 0, 0)
    if "tms" in info:
        lines = [translate("cli", "tile matrix set: {tms}").format(tms=info["tms"]),
                 translate("cli", "zoom levels: {zooms}").format(
                     zooms=", ".join(str(z) for z in info.get("zooms", []))),
                 translate("cli", "bounds: {x0:.3f}, {y0:.3f} - {x1:.3f}, {y1:.3f}").format(
                     x0=b[0], y0=b[1], x1=b[2], y1=b[3])]
        if info.get("missing_zooms"):
            lines.append(translate("cli", "missing zoom levels: {zooms}").format(
                zooms=", ".join(str(z) for z in info["missing_zooms"])))
        return lines
    overviews = info.get("overviews") or []
    return [
        translate("cli", "role: {role}").format(role=info.get("role")),
        translate("cli", "size: {width} x {height} cells, {bands} bands, {dtype}").format(
            width=info.get("width"), height=info.get("height"), bands=info.get("bands"),
            dtype=info.get("dtype")),
        translate("cli", "CRS: {crs}").format(crs=info.get("crs") or translate("cli",
                                                                              "no CRS")),
        translate("cli", "bounds: {x0:.3f}, {y0:.3f} - {x1:.3f}, {y1:.3f}").format(
            x0=b[0], y0=b[1], x1=b[2], y1=b[3]),
        translate("cli", "nodata: {nodata}").format(nodata=info.get("nodata")),
        translate("cli", "overviews: {levels}").format(
            levels=", ".join(f"1/{f}" for f in overviews) or translate("cli", "none")),
        translate("cli", "heights in: {unit}").format(unit=info.get("vertical_unit")),
    ]
