"""``ecomrisk serve``: the HTTP API under uvicorn."""

import typer

from ecomrisk.cli._common import settings

DEFAULT_PORT = 8000
# With --workers, uvicorn kills a worker that has not answered its health check in
# this many seconds. Its default, 5, is shorter than a spawned worker takes to
# import this CLI (its main module) again on a busy machine (3.5-8.6 s measured at
# load 7 on 2 CPUs): the workers were killed and respawned forever, never serving.
WORKER_HEALTHCHECK_SECONDS = 60


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
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
