"""The HTTP read API."""
