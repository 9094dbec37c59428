"""The publish stage: data/marts and the manifest in; the Pages site and downloads in public/ out.

The page's static files live in site/assets/ (package data)."""
