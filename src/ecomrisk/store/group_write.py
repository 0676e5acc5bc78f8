"""Group commit: single filings that arrived together, written in one transaction.

A served filing written alone pays a whole transaction: its begin and commit (on
SQLite, the commit copies every page the filing touched to the log, ~45 of them),
the key lookup, one INSERT per table and an audit record. When filings queue
behind SQLite's one writer, writing the queue as one transaction shares those
costs: 1.6-1.7 ms of CPU a filing alone, 0.9-1.1 ms in groups of 4-16
(bench/group_commit.py, docs/benchmarks.md). A filing never waits for others to
arrive: an idle server writes it at once, alone.

The outcome of each filing is what it would have been written alone and in
arrival order: one filer's filings go to ``write_shipments`` together in
arrival order (a repeat within the group is a replay; different content under
one key, a conflict), and the decider sees each version in turn. If the group's
transaction fails, nothing of it is stored and each filing is written again on
its own, so one bad filing fails alone.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.store.shipments_repo import (
    OnWritten,
    Receipt,
    Rejection,
    Submission,
    ingest_chunk,
    write_shipments,
)

Outcome = Receipt | Rejection | BaseException


@dataclass(frozen=True)
class FilingJob:
    """One filing to write, with what its request knows of the filer."""

    filer_id: int
    actor: str
    profile: JurisdictionProfile
    submission: Submission
    on_written: OnWritten | None


def _by_filer(jobs: Sequence[FilingJob]) -> dict[tuple[object, ...], list[int]]:
    """Job indexes by everything ``write_shipments`` takes once per call, in arrival order."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, job in enumerate(jobs):
        key = (job.filer_id, job.actor, id(job.profile), job.on_written)
        groups.setdefault(key, []).append(index)
    return groups


def _alone(engine: Engine, job: FilingJob) -> Outcome:
    try:
        [outcome] = ingest_chunk(
            engine,
            job.filer_id,
            [job.submission],
            profile=job.profile,
            actor=job.actor,
            on_written=job.on_written,
        )
        return outcome
    except Exception as error:  # handed to that filing's request, which answers 500
        return error


def write_group(engine: Engine, jobs: Sequence[FilingJob]) -> list[Outcome]:
    """One outcome per job, in order: a receipt, a rejection, or the exception that
    writing that job alone raised."""
    if len(jobs) <= 1:
        return [_alone(engine, job) for job in jobs]
    outcomes: list[Outcome | None] = [None] * len(jobs)
    try:
        with engine.begin() as connection:
            for indexes in _by_filer(jobs).values():
                first = jobs[indexes[0]]
                results = write_shipments(
                    connection,
                    first.filer_id,
                    [jobs[i].submission for i in indexes],
                    profile=first.profile,
                    actor=first.actor,
                    on_written=first.on_written,
                )
                for i, result in zip(indexes, results, strict=True):
                    outcomes[i] = result
    except Exception:
        # Rolled back whole: which filing failed is found by writing each alone
        # (a lost race for a key, retried there, succeeds on its own too).
        return [_alone(engine, job) for job in jobs]
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]
