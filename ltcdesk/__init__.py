"""ltcdesk: caseload management for integrated locality care teams."""

__version__ = "0.4.0"  # one minor step per schema migration since 0.1.0: 0011, 0012, 0013
