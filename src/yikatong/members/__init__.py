"""Members (成员用户) of an enterprise: add, change, remove, search, bulk import (M1), suspend (M6)."""
