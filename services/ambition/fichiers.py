"""Files holding a secret (keys, tokens): created readable by their owner only, atomically."""
from __future__ import annotations

import os
from pathlib import Path


def ecrire_secret(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the start (never readable by others, even briefly):
    a temporary file linked into place, so the first writer wins when several processes start
    together and nobody reads a half-written file. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
