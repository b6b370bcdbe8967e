"""The approval queue's web UI and JSON API (Starlette, Jinja2 templates, one small script)."""

from bot.web.app import create_app

__all__ = ["create_app"]
