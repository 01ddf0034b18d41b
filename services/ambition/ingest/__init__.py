"""Ingestion: partner topics -> the parcours application (Faust)."""
