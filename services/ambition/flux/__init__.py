"""Each partner's feed: the validated events of the parcours it serves, and nothing else."""
