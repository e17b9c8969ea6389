"""Pure rules of the domain: no I/O, no database, no Qt."""
