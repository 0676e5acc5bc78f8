"""``ecomrisk db backup`` and ``db restore`` on SQLite and PostgreSQL: every row comes
back, the audit chain verifies, a store holding data is refused unless forced."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from ecomrisk import audit
from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.risk.context import decider
from ecomrisk.settings import Settings
from ecomrisk.store import backup, filers_repo, migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import filers, metadata
from ecomrisk.store.shipments_repo import Submission, ingest_chunk
from tests.conftest import StoreUrl, _postgres_url_or_skip
from tests.processes import fails, run
from tests.samples import shipment


def _fill(engine: Engine) -> None:
    settings = Settings()
    with engine.begin() as connection:
        filer, _ = filers_repo.create_filer(
            connection, code="BAK", name="Backup Ltd", filer_type=FilerType.BROKER, actor="t"
        )
    on_written = decider(engine, settings).written
    from ecomrisk.domain.jurisdiction import load_profile

    profile = load_profile(settings.jurisdiction)
    submissions = [
        Submission(ShipmentFiling.model_validate(shipment(f"B-{i}", house_bill=f"HB{i}")))
        for i in range(6)
    ]
    ingest_chunk(engine, filer.id, submissions, profile=profile, actor="t", on_written=on_written)
    with engine.begin() as connection:
        audit.record(connection, actor="t", action="note", entity="test", after={"é": "ü"})


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            t.name: sorted((tuple(row) for row in connection.execute(select(t))), key=repr)
            for t in metadata.sorted_tables
        }


@pytest.fixture
def empty_target(store: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A database with no schema at all, on the same kind of server as ``store``."""
    if store.dialect.name == "sqlite":
        engine = create_engine_for_url(f"sqlite:///{tmp_path / 'restored.db'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url_or_skip()
    schema = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for_url(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine_for_url(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_round_trip(store: Engine, empty_target: Engine, tmp_path: Path) -> None:
    _fill(store)
    file = tmp_path / "store.backup"
    made = backup.backup(store, file)
    assert made.kind == ("sqlite" if store.dialect.name == "sqlite" else "dump")
    assert made.revision == migrate.head()
    restored = backup.restore(empty_target, file)
    assert restored.revision == migrate.head()
    assert _snapshot(empty_target) == _snapshot(store)
    result = audit.verify(empty_target)
    assert result.ok, result.problem
    assert result.head_hash == audit.verify(store).head_hash
    with empty_target.begin() as connection:  # ids continue after the restored ones
        new, _ = filers_repo.create_filer(
            connection, code="NEW", name="New", filer_type=FilerType.BROKER, actor="t"
        )
        largest = max(connection.execute(select(filers.c.id)).scalars())
    assert new.id == largest


def test_restore_refuses_a_store_with_data_unless_forced(
    store: Engine, empty_target: Engine, tmp_path: Path
) -> None:
    _fill(store)
    file = tmp_path / "store.backup"
    backup.backup(store, file)
    backup.restore(empty_target, file)
    with empty_target.begin() as connection:
        filers_repo.create_filer(
            connection, code="LATE", name="Late", filer_type=FilerType.BROKER, actor="t"
        )
    before = _snapshot(empty_target)
    with pytest.raises(backup.BackupError, match=r"not empty \(.*filers.*\).*--force"):
        backup.restore(empty_target, file)
    assert _snapshot(empty_target) == before  # refused: nothing changed
    backup.restore(empty_target, file, force=True)
    assert _snapshot(empty_target) == _snapshot(store)
    assert audit.verify(empty_target).ok


def test_backup_refuses_to_overwrite_and_restore_names_bad_files(
    store: Engine, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup(store, taken)
    assert taken.read_text() == "mine"
    with pytest.raises(backup.BackupError, match="not an ecomrisk backup"):
        backup.restore(store, taken)
    with pytest.raises(backup.BackupError, match="no such file"):
        backup.restore(store, tmp_path / "missing")


def test_restore_refuses_another_schema_revision(store: Engine, tmp_path: Path) -> None:
    file = tmp_path / "old.backup"
    backup.backup(store, file)
    target = create_engine_for_url(f"sqlite:///{tmp_path / 'target.db'}")
    if store.dialect.name == "sqlite":
        import sqlite3

        with sqlite3.connect(file) as db:
            db.execute("UPDATE alembic_version SET version_num = '0005'")
    else:
        import gzip

        lines = gzip.decompress(file.read_bytes()).decode().split("\n", 1)
        file.write_bytes(
            gzip.compress((lines[0].replace(migrate.head(), "0005") + "\n" + lines[1]).encode())
        )
    with pytest.raises(backup.BackupError, match="revision 0005, this ecomrisk at"):
        backup.restore(target, file)
    target.dispose()


@pytest.mark.slow
def test_cli_round_trip(new_store_url: StoreUrl, tmp_path: Path) -> None:
    """As an operator runs it: backup, restore into a new store, refuse, force."""
    env = {**os.environ, "ECOMRISK_DATA_DIR": str(tmp_path)}
    env.pop("ECOMRISK_CONFIG", None)
    source = {**env, "ECOMRISK_DATABASE_URL": new_store_url()}
    target = {**env, "ECOMRISK_DATABASE_URL": new_store_url()}
    run(source, "db", "upgrade")
    run(source, "filers", "create", "CLI", "--name", "Cli", "--type", "broker")
    file = tmp_path / "cli.backup"
    assert "Backed up" in run(source, "db", "backup", str(file))
    assert "already exists" in fails(source, "db", "backup", str(file))
    out = " ".join(run(target, "db", "restore", str(file)).split())
    assert "Restored" in out
    assert "audit log intact" in out
    refused = fails(target, "db", "restore", str(file))
    assert "not empty" in refused
    assert "--force" in refused
    assert "audit log intact" in run(target, "db", "restore", str(file), "--force")
    assert "CLI" in run(target, "filers", "list")
