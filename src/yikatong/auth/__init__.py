"""Users, roles, channels with time windows, passwords, API tokens and web sessions (SPEC §2, X1)."""
