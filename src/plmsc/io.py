"""Deterministic, atomic writing of the workflow's tables.

Every CSV the workflow writes goes through :func:`write_csv`: UTF-8, ``.`` decimal
point, LF line endings, a fixed float format, written to a temporary file in the
same folder and renamed, so a failed step never leaves a partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd  # imported where a CSV is written: text and bytes need none

FLOAT_FORMAT = "%.10g"


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _atomic(path: str | Path, mode: str) -> Iterator:
    """Open a temporary file beside ``path``; rename it onto ``path`` on success,
    remove it on failure, so no partial file is ever left behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        # mkstemp creates the file private (0600): give it the mode a plain open would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(
    frame: pd.DataFrame | Iterable[Mapping[str, Any]],
    path: str | Path,
    *,
    float_format: str = FLOAT_FORMAT,
) -> Path:
    """Write ``frame`` as CSV to ``path`` atomically and byte-deterministically."""
    import pandas as pd

    df = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(list(frame))
    with _atomic(path, "w") as fh:
        df.to_csv(fh, index=False, lineterminator="\n", float_format=float_format)
    return Path(path)


def write_text(text: str, path: str | Path) -> Path:
    """Write text atomically (temporary file in the same folder, then rename)."""
    with _atomic(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write bytes atomically (temporary file in the same folder, then rename)."""
    with _atomic(path, "wb") as fh:
        fh.write(data)
    return Path(path)
