"""Routers of the filer API, mounted under /api/v1."""
