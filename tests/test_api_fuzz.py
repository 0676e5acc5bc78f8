"""Schemathesis over the OpenAPI description: no generated request gets a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo

EXAMPLES_PER_OPERATION = 25


@pytest.mark.slow
def test_no_server_errors(store: Engine) -> None:
    with store.begin() as connection:
        _, issued = filers_repo.create_filer(
            connection, code="FUZZ", name="Fuzz", filer_type=FilerType.BROKER, actor="t"
        )
    app = create_app(Settings(max_batch_size=20, api_key_cache_seconds=0), engine=store)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {issued.key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    cases = [(op, mode) for op in operations for mode in GenerationMode]
    for operation, mode in cases:  # valid requests, then requests that break the schema

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()
