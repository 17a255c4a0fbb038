"""Reading email: RFC 5322 messages (Python's `email` package) and forwarded originals.
Pure functions, no database: the services decide what a message means for a council."""
