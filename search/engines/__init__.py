"""Storage and retrieval engines behind search.engine_api.Engine."""
