"""Entity resolution on Splink's Spark backend gives DuckDB's entities: the same
model estimated from the same records, and the same clusters."""

import pytest
from sqlalchemy import Engine, select

from ecomrisk.engines.batch import SparkEngine
from ecomrisk.risk.network.resolve import resolve
from ecomrisk.store.schema import entity_links, parties
from tests.network.conftest import FileWorld


def _entities(store: Engine) -> dict[int, str | None]:
    with store.connect() as connection:
        return dict(connection.execute(select(parties.c.id, parties.c.entity_id)).all())


def _links(store: Engine) -> set[tuple[int, int, str]]:
    with store.connect() as connection:
        rows = connection.execute(
            select(entity_links.c.record_l, entity_links.c.record_r, entity_links.c.kind)
        ).all()
    return {(r.record_l, r.record_r, r.kind) for r in rows}


@pytest.mark.spark
@pytest.mark.slow
def test_splink_on_spark_resolves_as_on_duckdb(
    sqlite_engine: Engine, file_world_sqlite: FileWorld, spark_engine: SparkEngine
) -> None:
    assert file_world_sqlite(0.0, 0.5) > 0
    on_duckdb = resolve(sqlite_engine)
    entities, links = _entities(sqlite_engine), _links(sqlite_engine)
    assert on_duckdb.entities < on_duckdb.records

    # DuckDB's model predicting on Spark (its conditions rewritten in Spark SQL):
    # the same pairs over the threshold, the same entities, explained by the same links.
    reused = resolve(
        sqlite_engine, retrain=False, engine_name="spark", spark_master=spark_engine.master
    )
    assert (reused.pairs, reused.entities, reused.changed) == (
        on_duckdb.pairs,
        on_duckdb.entities,
        0,
    )
    assert _links(sqlite_engine) == links

    # Estimated on Spark: u comes from a random sample of pairs, which Spark draws
    # otherwise than DuckDB (u differs by up to a fifth on this world), and EM starts
    # from it; the entities are the same all the same.
    on_spark = resolve(sqlite_engine, engine_name="spark", spark_master=spark_engine.master)
    assert on_spark.trained
    assert _entities(sqlite_engine) == entities
    assert on_spark.changed == 0
