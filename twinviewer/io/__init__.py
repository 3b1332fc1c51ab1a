"""Readers and writers: files in, layers out."""
