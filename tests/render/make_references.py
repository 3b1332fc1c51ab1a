"""Write the image references of tests/render/test_image_references.py (see
tests/render/references.py for when and how)."""

from __future__ import annotations

import sys

from PIL import Image

from tests.render.references import REFERENCES, STATES, reference_path, render_state


def main() -> int:
    REFERENCES.mkdir(parents=True, exist_ok=True)
    for name in STATES:
        path = reference_path(name)
        Image.fromarray(render_state(name)).save(path)
        print(path)  # noqa: T201 - a command-line tool's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
