"""Tests serve apps over real HTTP with the toolkit's own helper (mock_server/running.py)."""

from mock_server.running import serve

__all__ = ["serve"]
