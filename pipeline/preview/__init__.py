"""The preview stage: data/raw and two rosters in; a Markdown report (and one MR note) out."""
