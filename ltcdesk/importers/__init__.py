"""Reading files people bring (CSV lists): bytes → decoded text → a table → validated rows
that a service writes. GUI-free and database-free; pandas is imported only when a file is
read."""
