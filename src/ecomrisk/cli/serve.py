"""``ecomrisk serve``: the HTTP API under uvicorn."""

import typer

from ecomrisk.cli._common import settings

DEFAULT_PORT = 8000


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(DEFAULT_PORT, min=1, max=65535, help="TCP port"),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes"),
) -> None:
    """Serve the filer API (OpenAPI docs at /docs). Run `ecomrisk db upgrade` first."""
    import uvicorn

    settings()  # fail with a clear message before uvicorn starts, not inside a worker
    uvicorn.run(
        "ecomrisk.api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # ecomrisk's own access log has the request id and route
        log_config=None,  # keep the JSON logging that ecomrisk.api.asgi configures
    )
