"""Qt desktop: main window, 3D viewport, layer panel, attribute table, inspector."""
