"""The build stage: data/raw Parquet and the roster in, the DuckDB marts in data/marts out."""
