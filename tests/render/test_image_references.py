"""What users see, against stored images with a tolerance (see tests/render/references.py).

A failing state leaves the rendered image in ``test-artifacts/`` beside the
reference, to look at; regenerate the references with
``python -m tests.render.make_references`` only after an intended change.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.render.references import ERROR_LIMIT, STATES, reference_path, render_state


def _error(a: np.ndarray, b: np.ndarray) -> float:
    import pyvista as pv

    return float(pv.compare_images(pv.pyvista_ndarray(a), pv.pyvista_ndarray(b)))


@pytest.mark.parametrize("name", list(STATES))
def test_demo_looks_like_its_reference(name, artifacts):
    ref_path = reference_path(name)
    if not ref_path.exists():
        pytest.fail(f"no reference {ref_path.name}: run python -m tests.render.make_references")
    image = render_state(name)
    reference = np.asarray(Image.open(ref_path).convert("RGB"))
    Image.fromarray(image).save(artifacts / f"reference_{name}_actual.png")
    assert image.shape == reference.shape
    error = _error(image, reference)
    assert error <= ERROR_LIMIT, f"{name}: image error {error:.0f} > {ERROR_LIMIT:.0f}"


@pytest.mark.parametrize("name", [n for n in STATES if n != "base"])
def test_the_comparison_sees_each_change(name):
    """The tolerance is not blind: every state differs from the base view beyond it."""
    base = np.asarray(Image.open(reference_path("base")).convert("RGB"))
    other = np.asarray(Image.open(reference_path(name)).convert("RGB"))
    assert _error(base, other) > ERROR_LIMIT
