"""The partner exchange's operations: rejected messages (list, show, retry), synthetic cohorts."""
