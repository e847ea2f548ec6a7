"""Renderers: each takes a rated run (or the configuration) and writes one artefact."""
