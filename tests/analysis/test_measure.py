"""Measure: distances, lengths and areas against shapely and pyproj on the same coordinates."""

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Proj, Transformer

from twinviewer.analysis.measure import (
    area,
    coordinates,
    distance,
    draped_area,
    object_height,
    polyline_length,
    snap_to_ground,
    snap_to_vertex,
)
from twinviewer.core.layer import Layer, TriangleBatch
from twinviewer.core.table import ObjectTable

UTM51 = CRS.from_epsg(32651)
ORIGIN = np.array([350300.0, 3455100.0, 0.0])


def test_distance_parts():
    m = distance((1.0, 2.0, 3.0), (4.0, 6.0, 15.0))
    assert m.values["3d"] == pytest.approx(13.0)
    assert m.values["horizontal"] == pytest.approx(shapely.Point(1, 2).distance(shapely.Point(4, 6)))
    assert m.values["vertical"] == pytest.approx(12.0)


def test_horizontal_distance_against_geodesic():
    # 1 km diagonal in UTM 51N; the ellipsoidal distance differs by the point scale factor
    a, b = np.array([0.0, 0.0]), np.array([700.0, 714.1428])
    m = distance([*a, 0], [*b, 0])
    to_ll = Transformer.from_crs(UTM51, "EPSG:4490", always_xy=True)
    (lon1, lon2), (lat1, lat2) = to_ll.transform([a[0] + ORIGIN[0], b[0] + ORIGIN[0]],
                                                 [a[1] + ORIGIN[1], b[1] + ORIGIN[1]])
    geodesic = Geod(ellps="GRS80").inv(lon1, lat1, lon2, lat2)[2]
    k = Proj(UTM51).get_factors((lon1 + lon2) / 2, (lat1 + lat2) / 2).meridional_scale
    assert m.values["horizontal"] == pytest.approx(geodesic * k, rel=2e-6)


def test_polyline_length():
    pts = [(0, 0, 0), (3, 4, 0), (3, 4, 10), (6, 8, 10)]
    m = polyline_length(pts)
    assert m.values["3d"] == pytest.approx(20.0)
    assert m.values["horizontal"] == pytest.approx(
        shapely.LineString([p[:2] for p in pts]).length)


def test_area_against_shapely_and_geod():
    ring = [(0, 0, 0), (120, 0, 0), (120, 80, 0), (60, 130, 0), (0, 80, 0)]
    m = area(ring)
    assert m.values["horizontal"] == pytest.approx(shapely.Polygon([p[:2] for p in ring]).area)
    assert m.values["surface"] == pytest.approx(m.values["horizontal"])
    to_ll = Transformer.from_crs(UTM51, "EPSG:4490", always_xy=True)
    lon, lat = to_ll.transform([p[0] + ORIGIN[0] for p in ring], [p[1] + ORIGIN[1] for p in ring])
    geod_area = abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0])
    k = Proj(UTM51).get_factors(np.mean(lon), np.mean(lat)).areal_scale
    assert m.values["horizontal"] == pytest.approx(geod_area * k, rel=1e-5)


def test_surface_area_of_a_slope():
    # a 10 x 10 square tilted 30 degrees about the x axis: map area 10 * 10 cos 30
    c = np.cos(np.radians(30))
    ring = [(0, 0, 0), (10, 0, 0), (10, 10 * c, 5), (0, 10 * c, 5)]
    m = area(ring)
    assert m.values["surface"] == pytest.approx(100.0)
    assert m.values["horizontal"] == pytest.approx(100.0 * c)
    # the same square draped on a ground plane z = y tan 30
    def slope(x, y):
        return np.asarray(y) * np.tan(np.radians(30))
    poly = shapely.Polygon([(0, 0), (10, 0), (10, 10 * c), (0, 10 * c)])
    assert draped_area(poly, slope, cell=1.0) == pytest.approx(100.0, rel=1e-9)
    assert draped_area(poly, None) == pytest.approx(poly.area)


def test_coordinates_in_cgcs2000():
    m = coordinates((100.0, -50.0, 7.0), UTM51, ORIGIN)
    assert m.values["x"] == 350400.0 and m.values["y"] == 3455050.0 and m.values["z"] == 7.0
    back = Transformer.from_crs("EPSG:4490", UTM51, always_xy=True)
    x, y = back.transform(m.values["lon"], m.values["lat"])
    assert x == pytest.approx(350400.0, abs=1e-4) and y == pytest.approx(3455050.0, abs=1e-4)
    assert 121.0 < m.values["lon"] < 122.0 and 31.0 < m.values["lat"] < 31.5
    assert "coordinate" in m.text()


def test_object_height_and_snapping():
    pts = np.array([[0, 0, 2], [4, 0, 2], [4, 4, 20.5], [0, 4, 2]], float)
    layer = Layer("b", "vector", ObjectTable({"n": [1]}),
                  [TriangleBatch(pts, [[0, 1, 2], [0, 2, 3]], [0, 0])])
    h = object_height(layer, 0, ground_z=lambda x, y: np.full(np.shape(x), 2.0))
    assert h.values["height"] == pytest.approx(18.5)
    assert object_height(layer, 0).values["height"] == pytest.approx(20.5)
    assert np.allclose(snap_to_vertex((3.8, 0.1, 2.3), pts, 0.5), [4, 0, 2])
    assert snap_to_vertex((2, 2, 2), pts, 0.5) is None
    assert np.allclose(snap_to_ground((1, 2, 9), lambda x, y: x + y), [1, 2, 3])


def test_too_few_points():
    with pytest.raises(ValueError):
        area([(0, 0, 0), (1, 0, 0)])
    with pytest.raises(ValueError):
        polyline_length([(0, 0, 0)])
