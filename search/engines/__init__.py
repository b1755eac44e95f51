"""Storage and retrieval engines, each behind search.engine_api.Engine.

An engine lives in its own package here and is the only code that imports its library:
embedded/ (a Whoosh-format index in a local folder, the default) and opensearch/ (a
Parley index on an OpenSearch cluster, for archives that outgrow one machine).
`open_engine` picks one by the location's form.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from indexer.errors import IndexNotFound
from search.engine_api import Engine

# Engines kept open, most recently used last. A server uses one; a process that opens many
# folders (tests, scripts) closes the least recently used past this many, which also bounds
# the files they keep open (term lists, searchers).
MAX_OPEN = 16
_OPEN: OrderedDict[str, Engine] = OrderedDict()
_OPEN_LOCK = threading.Lock()


def open_engine(location: str | Path) -> Engine:
    """The engine for an index location: a folder path, or a cluster location URL.

    One engine object per location and process: it holds the per-thread searchers and the
    in-memory tables of its index, which every request to the same index reuses.
    """
    key = _key(location)
    evicted = []
    with _OPEN_LOCK:
        engine = _OPEN.get(key)
        if engine is None:
            engine = _OPEN[key] = _new_engine(key)
            while len(_OPEN) > MAX_OPEN:
                evicted.append(_OPEN.popitem(last=False)[1])
        else:
            _OPEN.move_to_end(key)
    for old in evicted:
        old.close()
    return engine


def _key(location: str | Path) -> str:
    text = str(location)
    if "://" in text:
        return text
    return str(Path(text).resolve())


def _new_engine(key: str) -> Engine:
    scheme = key.split("://", 1)[0] if "://" in key else "file"
    if scheme == "file":
        from search.engines.embedded.embedded import EmbeddedEngine

        return EmbeddedEngine(key)
    if scheme in ("opensearch+http", "opensearch+https"):
        # Imported here: the embedded engine's users never load the cluster client.
        from search.engines.opensearch import OpenSearchEngine

        return OpenSearchEngine(key)
    raise IndexNotFound(f"No search engine for {key!r}: give an index folder or a cluster "
                        "location opensearch+http(s)://HOST:PORT/INDEX.")


def forget_engine(location: str | Path) -> None:
    """Close and drop the engine of a location (tests, and a folder deleted for good)."""
    with _OPEN_LOCK:
        engine = _OPEN.pop(_key(location), None)
    if engine is not None:
        engine.close()
