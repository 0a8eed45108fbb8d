"""Bundled data files (the default price table)."""
