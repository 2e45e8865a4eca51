"""Sıra's server: the app factory (server.app), the queue engine (server.engine), the API."""

__version__ = "0.1.0"
