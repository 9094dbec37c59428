"""What an extraction keeps: Arrow tables, watermarks, heads and listing records in; Parquet parts
in a staging folder swapped into data/raw, data/state and data/manifest.json out."""
