"""Moving in from the original Phoenix app: its database, its files, and its old links."""
