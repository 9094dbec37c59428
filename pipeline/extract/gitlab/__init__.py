"""The one HTTP edge: python-gitlab and requests in, Pages of plain dicts and RequestError out."""
