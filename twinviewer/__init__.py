"""twinviewer: a desktop 3D digital-twin viewer and editor."""

__version__ = "0.1.0"
