"""ltcdesk: caseload management for integrated locality care teams."""

__version__ = "0.1.0"
