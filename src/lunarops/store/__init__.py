"""Results on disk (Parquet) and the run catalog (SQLite or PostgreSQL)."""

from lunarops.store.catalog import Catalog, RunRecord
from lunarops.store.parquet import query, read_attrs, read_frame, write_dataset

__all__ = ["Catalog", "RunRecord", "query", "read_attrs", "read_frame", "write_dataset"]
