"""SDK integration fixtures: see tests/contracts_support.py."""
from contracts_support import *  # noqa: F401,F403
