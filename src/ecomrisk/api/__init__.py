"""The HTTP API: ``create_app(settings)`` builds it; filers use ``/api/v1``."""

from ecomrisk.api.app import create_app

__all__ = ["create_app"]
