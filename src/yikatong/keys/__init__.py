"""Key service (E2, T1): root and enterprise master keys, sealed at rest; card keys never leave it."""
