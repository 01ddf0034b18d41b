"""Benchmarks of the platform, run on this machine: `python -m benchmarks [NAME ...]`."""
