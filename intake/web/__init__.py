"""The web page where the team works its queues and managers watch the backlog."""

from intake.web.app import create_app

__all__ = ["create_app"]
