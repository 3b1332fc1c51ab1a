"""The lines ``twinviewer info`` prints for a raster layer."""

from __future__ import annotations

from twinviewer.i18n import translate


def raster_lines(info: dict) -> list[str]:
    """Size, bands, dtype, CRS, bounds, nodata and overviews, one line each."""
    b = info.get("bounds") or (0, 0, 0, 0)
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
