"""Use cases: each function takes a session and plain arguments, and returns plain data."""
