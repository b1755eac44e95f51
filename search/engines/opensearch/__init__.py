"""The cluster engine: a Parley index on OpenSearch (see engine.py and docs/scaling.md)."""

from search.engines.opensearch.engine import OpenSearchEngine

__all__ = ["OpenSearchEngine"]
