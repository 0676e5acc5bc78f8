"""Group commit of single filings: one transaction for filings that queued together,
each with the outcome it would have had written alone, in arrival order."""

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select

from ecomrisk.api.ops import metrics
from ecomrisk.api.writer import StoreWriter
from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.store import filers_repo
from ecomrisk.store.group_write import FilingJob, write_group
from ecomrisk.store.schema import shipments
from ecomrisk.store.shipments_repo import Receipt, Rejection, Submission, Written, ingest_chunk
from tests.samples import shipment

PROFILE = load_profile("US-2019")


def _filers(engine: Engine, *codes: str) -> list[int]:
    with engine.begin() as connection:
        return [
            filers_repo.create_filer(
                connection, code=code, name=code, filer_type=FilerType.MARKETPLACE, actor="t"
            )[0].id
            for code in codes
        ]


def _sub(reference: str, amend: bool = False, **overrides: Any) -> Submission:
    return Submission(ShipmentFiling.model_validate(shipment(reference, **overrides)), amend=amend)


def _commits(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _connection: seen.append(1))
    return seen


def _comparable(outcome: object) -> tuple[object, ...]:
    """What a filer is told, without ids and times that differ between two stores."""
    if isinstance(outcome, Receipt):
        return ("receipt", outcome.filer_reference, outcome.version, outcome.replayed)
    assert isinstance(outcome, Rejection)
    return ("rejection", outcome.filer_reference, outcome.kind)


def _queue(a: int, b: int) -> list[tuple[int, Submission]]:
    """Two filers' filings interleaved, with a replay, a conflict and an amendment."""
    first = _sub("A-1")
    return [
        (a, first),
        (b, _sub("A-1")),  # the same reference under another filer: its own key
        (a, _sub("A-2")),
        (a, first),  # identical again: a replay of the first
        (a, _sub("A-2", house_bill="HB-OTHER")),  # different content, not an amendment
        (a, _sub("A-2", amend=True, house_bill="HB-AMENDED")),
        (b, _sub("B-1", amend=True)),  # nothing to amend
    ]


def test_a_group_is_one_transaction_with_the_outcomes_of_writing_one_by_one(
    store: Engine,
) -> None:
    a, b = _filers(store, "GROUPED-A", "GROUPED-B")
    queue = _queue(a, b)
    commits = _commits(store)
    grouped = write_group(
        store, [FilingJob(filer, "t", PROFILE, sub, None) for filer, sub in queue]
    )
    assert len(commits) == 1

    c, d = _filers(store, "ALONE-A", "ALONE-B")
    renamed = {a: c, b: d}
    alone = [
        ingest_chunk(store, renamed[filer], [sub], profile=PROFILE, actor="t")[0]
        for filer, sub in queue
    ]
    assert [_comparable(o) for o in grouped] == [_comparable(o) for o in alone]
    assert [_comparable(o) for o in grouped] == [
        ("receipt", "A-1", 1, False),
        ("receipt", "A-1", 1, False),
        ("receipt", "A-2", 1, False),
        ("receipt", "A-1", 1, True),
        ("rejection", "A-2", "conflict"),
        ("receipt", "A-2", 2, False),
        ("rejection", "B-1", "not_found"),
    ]
    with store.connect() as connection:
        for filer in (a, c):
            stored = connection.execute(
                select(shipments.c.filer_reference, shipments.c.version, shipments.c.is_current)
                .where(shipments.c.filer_id == filer)
                .order_by(shipments.c.filer_reference, shipments.c.version)
            ).all()
            assert [tuple(r) for r in stored] == [
                ("A-1", 1, True),
                ("A-2", 1, False),
                ("A-2", 2, True),
            ]


def test_a_filing_that_fails_fails_alone(store: Engine) -> None:
    [filer] = _filers(store, "GROUPED")

    def refuse_bad(connection: Connection, written: list[Written]) -> None:
        if any(w.shipment["filer_reference"] == "BAD" for w in written):
            raise RuntimeError("the decider failed on BAD")

    jobs = [
        FilingJob(filer, "t", PROFILE, _sub(reference), refuse_bad)
        for reference in ("OK-1", "BAD", "OK-2")
    ]
    first, bad, last = write_group(store, jobs)
    assert isinstance(bad, RuntimeError)
    assert isinstance(first, Receipt)
    assert isinstance(last, Receipt)
    with store.connect() as connection:
        stored = connection.execute(
            select(shipments.c.filer_reference).order_by(shipments.c.filer_reference)
        ).scalars()
        assert list(stored) == ["OK-1", "OK-2"]  # nothing of BAD, nothing twice


def _group_sizes() -> float:
    return sum(
        sample.value
        for family in metrics.FILING_GROUP.collect()
        for sample in family.samples
        if sample.name.endswith("_count")
    )


def test_filings_queued_behind_the_writer_are_written_in_one_group(sqlite_engine: Engine) -> None:
    [filer] = _filers(sqlite_engine, "QUEUED")
    writer = StoreWriter(sqlite_engine)
    commits = _commits(sqlite_engine)
    release = threading.Event()

    async def main() -> list[Receipt | Rejection]:
        # The writer thread is busy (as with a slow filing) while ten requests queue.
        busy = asyncio.ensure_future(writer.run(lambda: release.wait(10)))
        await asyncio.sleep(0.05)
        filings = [
            asyncio.ensure_future(writer.file(FilingJob(filer, "t", PROFILE, _sub(f"Q-{n}"), None)))
            for n in range(10)
        ]
        await asyncio.sleep(0.05)
        release.set()
        await busy
        return list(await asyncio.gather(*filings))

    groups_before = _group_sizes()
    outcomes = asyncio.run(main())
    writer.close()
    assert [(o.filer_reference, o.version, o.replayed) for o in outcomes] == [
        (f"Q-{n}", 1, False) for n in range(10)
    ]
    assert len(commits) == 1
    assert _group_sizes() == groups_before + 1
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(shipments)).scalar_one() == 10


@pytest.mark.parametrize("failing", [True, False])
def test_the_writer_raises_a_filings_own_error_to_its_request(
    sqlite_engine: Engine, failing: bool
) -> None:
    [filer] = _filers(sqlite_engine, "RAISES")
    writer = StoreWriter(sqlite_engine)

    def hook(connection: Connection, written: list[Written]) -> None:
        if failing:
            raise RuntimeError("decider down")

    async def main() -> Receipt | Rejection:
        return await writer.file(FilingJob(filer, "t", PROFILE, _sub("R-1"), hook))

    if failing:
        with pytest.raises(RuntimeError, match="decider down"):
            asyncio.run(main())
    else:
        assert isinstance(asyncio.run(main()), Receipt)
    writer.close()
