"""Request dependencies: the store, the profile, the settings and the calling filer."""

import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.writer import StoreWriter
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.settings import Settings
from ecomrisk.store.filers_repo import Filer, authenticate, hash_key
from ecomrisk.store.shipments_repo import OnWritten

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The filer's API key")


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_profile(request: Request) -> JurisdictionProfile:
    profile: JurisdictionProfile = request.app.state.profile
    return profile


async def get_writer(request: Request) -> StoreWriter:
    writer: StoreWriter = request.app.state.store_writer
    return writer


async def get_on_written(request: Request) -> OnWritten:
    on_written: OnWritten = request.app.state.decider.written
    return on_written


# The getters above are async only so FastAPI calls them on the event loop instead
# of a worker thread: they do no I/O, and each thread hop costs about 0.1 ms.
EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ProfileDep = Annotated[JurisdictionProfile, Depends(get_profile)]
# Decides each version in the transaction that writes it.
OnWrittenDep = Annotated[OnWritten, Depends(get_on_written)]
WriterDep = Annotated[StoreWriter, Depends(get_writer)]


def get_connection(engine: EngineDep) -> Iterator[Connection]:
    """One transaction per request, committed when the handler returns normally."""
    with engine.begin() as connection:
        yield connection


ConnectionDep = Annotated[Connection, Depends(get_connection)]


class KeyCache:
    """Recently authenticated keys (by hash), so most requests skip the lookup and
    its thread hop. A revoked key keeps working for at most ``ttl`` seconds."""

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[Filer, float]] = {}

    def get(self, key_hash: str) -> Filer | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key_hash: str, filer: Filer) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key_hash] = (filer, time.monotonic() + self.ttl)


async def current_filer(
    request: Request,
    engine: EngineDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Filer:
    key = (bearer.credentials if bearer is not None else api_key or "").strip()
    if not key:
        raise HTTPException(
            401,
            "missing API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    cache: KeyCache = request.app.state.key_cache
    key_hash = hash_key(key)
    filer = cache.get(key_hash)
    if filer is None:

        def lookup() -> Filer | None:
            with engine.connect() as connection:
                return authenticate(connection, key)

        filer = await run_in_threadpool(lookup)
        if filer is None:
            raise HTTPException(
                401, "invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"}
            )
        cache.put(key_hash, filer)
    return filer


CurrentFiler = Annotated[Filer, Depends(current_filer)]


def actor(filer: Filer) -> str:
    return f"filer:{filer.code}"
