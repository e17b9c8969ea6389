"""Use cases. GUI-free; each public call is one transaction, attributed to the acting user."""
