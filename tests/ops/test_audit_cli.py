"""``ecomrisk audit verify`` as CI runs it: on a store built through the commands a
deployment uses (filers, users, rule sets, a bulk ingest, batch scoring), on SQLite
and PostgreSQL; then a tampered entry makes it fail, naming the entry."""

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from ecomrisk.store.engine import create_engine_for_url
from tests.conftest import StoreUrl, postgres_engine_for
from tests.processes import fails, run
from tests.samples import shipment

RULES = """\
name: ci
version: 1
rules:
  - id: gifts
    description: Gift claimed
    owner: ci
    rationale: audit test
    weight: 0.5
    lane: scan
    when: {feature: gift_claimed, eq: true}
"""


@pytest.mark.slow
def test_audit_verify_on_a_built_store_and_a_tampered_one(
    new_store_url: StoreUrl, tmp_path: Path
) -> None:
    url = new_store_url()
    env = {**os.environ, "ECOMRISK_DATABASE_URL": url, "ECOMRISK_DATA_DIR": str(tmp_path)}
    env.pop("ECOMRISK_CONFIG", None)
    run(env, "db", "upgrade")
    run(env, "filers", "create", "CI", "--name", "CI Filer", "--type", "carrier")
    run(env, "users", "create", "ana", "--name", "Ana", "--role", "analyst")
    run(env, "users", "token", "ana")
    rules = tmp_path / "ci.yaml"
    rules.write_text(RULES)
    run(env, "rules", "publish", str(rules))
    run(env, "rules", "promote", "ci@1")
    filings = tmp_path / "filings.ndjson"
    filings.write_text("".join(json.dumps(shipment(f"CI-{i}")) + "\n" for i in range(20)))
    run(env, "ingest", str(filings), "--filer", "CI", timeout=300)
    run(env, "score", timeout=300)
    intact = " ".join(run(env, "audit", "verify").split())
    assert "audit log intact" in intact
    entries = int(intact.split("intact: ")[1].split(" entries")[0])
    assert entries >= 6  # filer, user, tokens, rule set and its promotion, the ingest

    sqlite = url.startswith("sqlite")
    engine = create_engine_for_url(url) if sqlite else postgres_engine_for(url)
    with engine.begin() as connection:  # what someone with owner rights could do
        if sqlite:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    engine.dispose()
    broken = fails(env, "audit", "verify")
    assert "audit log broken after 3 entries: changed: entry seq 3" in broken
