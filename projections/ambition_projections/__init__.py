"""Read views of the parcours, one module per view."""
