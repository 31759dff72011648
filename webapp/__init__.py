"""The Matchmaker web application: Flask app factory, services, blueprints and templates."""

from webapp.app import create_app

__all__ = ["create_app"]
