"""Everything that imports Qt lives here (and in the composition root, ltcdesk/app.py)."""
