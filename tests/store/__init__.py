"""Tests of the GeoPackage store, the edit log, spreadsheets and crash safety."""
