"""Request dependencies: the store, the profile, the settings and the calling filer."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.settings import Settings
from ecomrisk.store.filers_repo import Filer, authenticate

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The filer's API key")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_profile(request: Request) -> JurisdictionProfile:
    profile: JurisdictionProfile = request.app.state.profile
    return profile


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ProfileDep = Annotated[JurisdictionProfile, Depends(get_profile)]


def get_connection(engine: EngineDep) -> Iterator[Connection]:
    """One transaction per request, committed when the handler returns normally."""
    with engine.begin() as connection:
        yield connection


ConnectionDep = Annotated[Connection, Depends(get_connection)]


def current_filer(
    engine: EngineDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Filer:
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise HTTPException(
            401,
            "missing API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with engine.connect() as connection:
        filer = authenticate(connection, key.strip())
    if filer is None:
        raise HTTPException(
            401, "invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return filer


CurrentFiler = Annotated[Filer, Depends(current_filer)]


def actor(filer: Filer) -> str:
    return f"filer:{filer.code}"
