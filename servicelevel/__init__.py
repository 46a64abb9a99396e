"""Servicenivåportalen: the Django project and the rulebook of decision 2026-0000277."""

from .celery import app as celery_app

__all__ = ["celery_app"]
