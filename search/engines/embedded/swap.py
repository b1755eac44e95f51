"""`parley index --rebuild` builds the new index beside the old one and switches atomically.

Rebuilding in place emptied the index first: a server answering meanwhile gave partial
results for as long as the rebuild ran (and errors while it was empty). Here the new index
is written to a sibling directory, then the two directories trade places in one system call
(Linux renameat2 RENAME_EXCHANGE): a reader opens either the old index or the new one,
never a mix. Readers already holding the old files keep reading them (they stay readable
after they are deleted) until they notice the new TOC and reopen. The old index is deleted
afterwards. It needs room for both indexes while the rebuild runs.

Where the exchange is not available (another OS, an old kernel, a file system without it,
an index directory that is a mount point), the rebuild happens in place as before.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (both must exist, on one file system)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        raise OSError(errno.ENOSYS, "renameat2 is not available") from None
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))


def aside_of(index_dir: Path) -> Path:
    return index_dir.with_name(f".{index_dir.name}.rebuild")


def can_exchange(index_dir: Path) -> bool:
    """Try the exchange on two empty directories next to the index."""
    probe = [index_dir.with_name(f".{index_dir.name}.probe{i}") for i in (1, 2)]
    try:
        for p in probe:
            p.mkdir(exist_ok=True)
        exchange(*probe)
        return True
    except OSError:
        return False
    finally:
        for p in probe:
            shutil.rmtree(p, ignore_errors=True)


@contextmanager
def aside(index_dir: Path) -> Iterator[Path]:
    """A directory to build the new index in; when the block ends without an error, it takes
    index_dir's place in one step. The caller holds index_dir's write lock meanwhile."""
    path = aside_of(index_dir)
    _remove_leftover(path)
    try:
        yield path
        exchange(path, index_dir)
    finally:
        # After the exchange this is the old index; after a failure, the half-built one.
        _remove_leftover(path)


def _remove_leftover(aside: Path) -> None:
    """Delete a previous rebuild's directory, only when it is one (our marker, or empty)."""
    from search.engines.embedded.schema import is_parley_index

    if aside.is_dir() and (is_parley_index(aside) or not any(aside.iterdir())):
        shutil.rmtree(aside, ignore_errors=True)
