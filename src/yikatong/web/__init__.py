"""The web console (server-rendered, Simplified Chinese first)."""

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Attach the console's pages and static files to the app."""
    return None
