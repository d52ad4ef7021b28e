"""``ykt sim``: terminals and cards played against a live server (docs/simulator.md)."""
