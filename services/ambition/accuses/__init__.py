"""Receipts: what became of each partner message, told to that partner only."""
