"""The web fixtures (a real store, the filer API, signed-in clients) reused here."""

from tests.web.conftest import as_role, web

__all__ = ["as_role", "web"]
