"""Door access control (门禁, A1, A2, A4): doors, sites, weekly time zones, access groups, the
materialised per-door permission lists door terminals sync (T3), offline decisions and events."""
