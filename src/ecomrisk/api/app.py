"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from ecomrisk import __version__, web
from ecomrisk.api import errors, ops
from ecomrisk.api.body_limit import BodyLimitMiddleware
from ecomrisk.api.deps import KeyCache
from ecomrisk.api.internal import models as internal_models
from ecomrisk.api.internal import network as network_routes
from ecomrisk.api.internal import routes as internal_routes
from ecomrisk.api.internal import targeting_routes
from ecomrisk.api.routes import bulk, manifests, postal, programme, scorecard, shipments
from ecomrisk.api.writer import StoreWriter
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.risk.context import decider
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.checkpoint import WalCheckpointer
from ecomrisk.store.engine import create_store_engine

API_PREFIX = "/api/v1"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # A served SQLite store checkpoints its log in the background, not in a request.
    checkpointer = WalCheckpointer(app.state.engine)
    checkpointer.start()
    try:
        yield
    finally:
        checkpointer.stop()
        app.state.store_writer.close()


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """An app on the store and jurisdiction profile named by ``settings``.

    The store must be migrated (``ecomrisk db upgrade``); the app never changes
    the schema on its own, so several workers can start at once. ``engine``
    overrides the one built from ``settings.database_url`` (tests use it).
    """
    app = FastAPI(
        title="ecomrisk filer API",
        version=__version__,
        description="Advance electronic data for cross-border e-commerce shipments. "
        "See docs/api.md.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.profile = load_profile(settings.jurisdiction)
    app.state.engine = engine or create_store_engine(settings)
    state = migrate.status(app.state.engine)
    if not state.up_to_date:
        raise RuntimeError(
            f"the store is at revision {state.current or '(empty)'}, not {state.head}: "
            "run `ecomrisk db upgrade` first"
        )
    app.state.decider = decider(app.state.engine, settings)
    app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
    app.state.store_writer = StoreWriter(app.state.engine)
    errors.install(app)
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (shipments, postal, manifests, bulk, scorecard, programme):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(internal_routes.router)
    app.include_router(internal_models.router)
    app.include_router(targeting_routes.router)
    app.include_router(network_routes.router)
    app.include_router(ops.router)
    web.install(app)  # the officer and analyst app under /app
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=(f"{API_PREFIX}/bulk",),
    )
    # Outermost, so every response (a refused body too) gets its headers and metrics.
    app.add_middleware(
        ops.OperationsMiddleware,
        routes=app.routes,
        engine=app.state.engine,
        tls=settings.behind_tls,
    )
    return app
