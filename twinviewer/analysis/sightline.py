"""Line of sight between two points: visible, or the first obstacle and the object it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twinviewer.analysis.rays import Occluders

END_TOLERANCE = 0.05  # picked points lie on surfaces: hits this close to an end do not count


@dataclass
class SightLine:
    """One sight line: ``visible``, or where it is blocked and by which (layer, oid)."""

    start: tuple[float, float, float]
    end: tuple[float, float, float]
    visible: bool
    distance: float                     # from start to end
    blocked_at: tuple[float, float, float] | None = None
    blocked_after: float | None = None  # distance from start to the obstacle
    layer: str | None = None
    row: int | None = None
    oid: object = None

    def as_dict(self) -> dict:
        return {"start": list(self.start), "end": list(self.end), "visible": self.visible,
                "distance": self.distance,
                "blocked_at": None if self.blocked_at is None else list(self.blocked_at),
                "blocked_after": self.blocked_after, "layer": self.layer, "row": self.row,
                "oid": None if self.oid is None else (self.oid.item() if hasattr(
                    self.oid, "item") else self.oid)}


def sight_lines(occluders: Occluders, starts, ends) -> list[SightLine]:
    """Sight lines from each start to each end (arrays of the same length, vectorised)."""
    a = np.asarray(starts, dtype=np.float64).reshape(-1, 3)
    b = np.asarray(ends, dtype=np.float64).reshape(-1, 3)
    v = b - a
    length = np.linalg.norm(v, axis=1)
    d = v / np.where(length > 0, length, 1.0)[:, None]
    origin = a + d * END_TOLERANCE
    hit = occluders.first_hit(origin, d)
    along = hit.distance + END_TOLERANCE
    blocked = np.isfinite(hit.distance) & (along < length - END_TOLERANCE)
    out = []
    for i in range(len(a)):
        line = SightLine(tuple(a[i]), tuple(b[i]), not bool(blocked[i]), float(length[i]))
        if blocked[i]:
            owner = occluders.owner(int(hit.triangle[i]))
            line.blocked_at = tuple(float(x) for x in hit.point[i])
            line.blocked_after = float(along[i])
            if owner is not None:
                layer, row = owner
                line.layer, line.row = layer.name, row
                line.oid = layer.table.df["oid"].iat[row]
        out.append(line)
    return out


def sight_line(occluders: Occluders, start, end) -> SightLine:
    """One sight line (see :func:`sight_lines`)."""
    return sight_lines(occluders, [start], [end])[0]
