"""Schemathesis over the OpenAPI description of every route (filer API with a filer
key, internal API with an analyst's token, operations): no generated request gets
a 5xx, and every response matches its documented schema and content type."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from sqlalchemy import Engine

from ecomrisk.api import create_app
from ecomrisk.api.access import api_routes
from ecomrisk.domain.enums import FilerType, Role
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo

# Examples per operation and generation mode: ~25 routes x 2 modes x this many
# requests per database keeps the test to about a minute on two cores.
EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.slow
def test_every_route_fuzzed_without_server_errors(store: Engine) -> None:
    with store.begin() as connection:
        _, issued = filers_repo.create_filer(
            connection, code="FUZZ", name="Fuzz", filer_type=FilerType.BROKER, actor="t"
        )
        analyst = users_repo.create_user(
            connection, username="fuzz", display_name="Fuzz", roles={Role.ANALYST}, actor="t"
        )
        token = users_repo.issue_token(connection, analyst, actor="t").key
    app = create_app(Settings(max_batch_size=20, api_key_cache_seconds=0), engine=store)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {(op.method.upper(), op.path) for op in operations}
    routed = {
        (method, str(route.path).replace(":path}", "}"))
        for route in api_routes(app.routes)
        if route.include_in_schema
        for method in route.methods or ()
    }
    assert routed == documented  # every route of the app is in the schema, so fuzzed
    assert any(path.startswith("/internal/v1") for _, path in documented)
    for operation in operations:
        credential = token if operation.path.startswith("/internal/") else issued.key
        for mode in GenerationMode:  # valid requests, then requests that break the schema
            _fuzz(operation, mode, {"Authorization": f"Bearer {credential}"})


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        # A route without parameters or body (/healthz) has no request that breaks
        # its schema: nothing to generate in negative mode.
        if mode is not GenerationMode.NEGATIVE:
            raise
