"""Kill a real ``ecomrisk score`` (kill -9) part way, run it again: every decision
is complete or absent, never half written, and none is duplicated. On SQLite and
on PostgreSQL."""

import os
import signal
import subprocess
import time
from collections import Counter

import pytest
from sqlalchemy import Connection, Engine, func, select

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.events import record_written_events
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.explain import explain
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import decisions, shipments
from ecomrisk.store.shipments_repo import Submission, Written, ingest_chunk
from tests.conftest import StoreUrl
from tests.processes import ECOMRISK, run
from tests.samples import shipment

SHIPMENTS = 3_000
CHUNK = 100


def _fill(engine: Engine) -> None:
    """SHIPMENTS filings stored with their feature events but not decided yet (the
    cheap way to a history that ``ecomrisk score`` has to decide)."""
    context = feature_context(engine, Settings())
    with engine.begin() as connection:
        filer, _ = filers_repo.create_filer(
            connection, code="K9", name="Kill", filer_type=FilerType.CARRIER, actor="t"
        )
        rulesets_repo.ensure_live(connection)

    def events_only(connection: Connection, written: list[Written]) -> None:
        record_written_events(connection, written, context.rates, context.profile.currency)

    for start in range(0, SHIPMENTS, 500):
        submissions = [
            Submission(ShipmentFiling.model_validate(shipment(f"K{i:05d}", house_bill=f"HB{i}")))
            for i in range(start, start + 500)
        ]
        outcomes = ingest_chunk(
            engine,
            filer.id,
            submissions,
            profile=context.profile,
            actor="t",
            on_written=events_only,
        )
        assert len(outcomes) == 500


def _decided(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(decisions)).scalar_one())


@pytest.mark.slow
def test_kill_during_batch_scoring_then_run_again(new_store_url: StoreUrl) -> None:
    url = new_store_url()
    engine = create_engine_for_url(url)
    migrate.upgrade(engine)
    _fill(engine)
    env = {**os.environ, "ECOMRISK_DATABASE_URL": url, "ECOMRISK_SCORE_CHUNK_SIZE": str(CHUNK)}
    env.pop("ECOMRISK_CONFIG", None)

    scoring = subprocess.Popen(
        [ECOMRISK, "score"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while _decided(engine) == 0 and time.monotonic() < deadline and scoring.poll() is None:
        time.sleep(0.005)
    os.kill(scoring.pid, signal.SIGKILL)
    scoring.wait(timeout=10)
    at_kill = _decided(engine)
    assert 0 < at_kill < SHIPMENTS, "the kill missed the run: the test proves nothing"
    assert at_kill % CHUNK == 0  # whole chunks only

    with engine.connect() as connection:
        rows = connection.execute(select(decisions)).all()
        for row in rows:  # complete: every part of each decision written
            assert row.features
            assert row.versions["run"] == "rescore"
            assert row.ruleset
            assert 0 <= row.score <= 1
            assert row.lane
        for row in rows[:3] + rows[-3:]:  # and each reproduces from what was stored
            assert explain(connection, row.id).reproduced

    out = run(env, "score", timeout=300)
    assert f"rescored {SHIPMENTS - at_kill:,} shipments" in out
    assert f"{at_kill:,} already decided this way" in out
    with engine.connect() as connection:
        current = set(
            connection.execute(select(shipments.c.id).where(shipments.c.is_current)).scalars()
        )
        per_shipment = Counter(connection.execute(select(decisions.c.shipment_id)).scalars())
    assert set(per_shipment) == current  # none missing
    assert set(per_shipment.values()) == {1}  # none duplicated
    again = run(env, "score", timeout=300)  # a finished run repeated changes nothing
    assert "rescored 0 shipments" in again
    assert _decided(engine) == SHIPMENTS
    engine.dispose()
