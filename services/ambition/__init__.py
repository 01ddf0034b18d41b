"""Ambition Emploi Exchange: the platform package."""
