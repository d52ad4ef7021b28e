"""Knowledge base (S7): FAQ and technical notes, searchable in Chinese on SQLite and PostgreSQL."""
