"""Import history files into the store through a mapping: the same path as live
filings, with the historical received time.

Per chunk of shipments, in ONE transaction: ``write_shipments`` (validation was
done by the records; idempotent on (filer, filer reference), data quality,
parties with their normalised forms, audit), the feature event of every new
version (or, with ``decide``, the project's decider, which records it and
decides), the outcome through ``record_outcome`` (its feature event, audit) and
where the shipment came from (``history_rows``). A re-run finds every key
stored: shipments come back as replays, outcomes already there are skipped,
so nothing is added twice. Rows that cannot be stored go to a rejects file
(NDJSON: the source rows and the reasons, field by field).
"""

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, select

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.features.events import record_written_events
from ecomrisk.history.assemble import Assembled, assemble, groups
from ecomrisk.history.mapping import Mapping, MappingError
from ecomrisk.history.readers import Source, file_format
from ecomrisk.ingest.formats import DEFAULT_MAX_LINE_BYTES
from ecomrisk.ingest.problems import FieldProblem
from ecomrisk.reference.fx import RateTable
from ecomrisk.store import filers_repo
from ecomrisk.store.filers_repo import FilerError
from ecomrisk.store.outcomes_repo import OutcomeError, current_version_id, record_outcomes
from ecomrisk.store.schema import history_rows, outcomes
from ecomrisk.store.shipments_repo import OnWritten, Receipt, Submission, Written, write_shipments

DEFAULT_CHUNK = 500
SHOWN_COLUMNS = 12


@dataclass
class FileReport:
    path: Path
    rows: int = 0
    records: int = 0  # shipments (or outcomes, for an outcomes file) read
    new: int = 0
    replayed: int = 0
    rejected: int = 0
    outcomes_new: int = 0
    outcomes_known: int = 0
    rejects_file: Path | None = None
    reasons: Counter[str] = field(default_factory=Counter)


Progress = Callable[[FileReport, int, int], None]  # report, done, total (bytes or rows)


def check_headers(mapping: Mapping, sources: Sequence[Source]) -> None:
    """Every column the mapping reads must be in each file's header (CSV, Parquet):
    checked for all files before any row is read."""
    if mapping.missing_columns == "empty":
        return
    problems = []
    for source in sources:
        header = source.header()
        if header is None:
            continue  # NDJSON has no header: a missing key is an empty cell
        names = set(header)
        outcomes_only = mapping.is_outcomes_file(source.path)
        for column, list_column, line in mapping.columns(outcomes_only):
            if column in names or (list_column and f"{list_column}.{column}" in names):
                continue
            where = f"{mapping.path}:{line}" if line else str(mapping.path)
            shown = ", ".join(header[:SHOWN_COLUMNS]) + (
                ", ..." if len(header) > SHOWN_COLUMNS else ""
            )
            problems.append(
                f"{where}: column {column!r} is not in the header of {source.path} "
                f"(it has: {shown})"
            )
    if problems:
        raise MappingError(problems)


def _reason_key(problem: FieldProblem) -> str:
    # items.3.hs_code and items.0.hs_code are the same reason in a summary.
    parts = ["N" if p.isdigit() else p for p in problem.path.split(".")]
    return f"{'.'.join(parts)}: {problem.problem}"


class _Rejects:
    """The rejects file of one source file, opened on the first reject."""

    def __init__(self, path: Path, report: FileReport):
        self.path, self.report = path, report
        self.handle: IO[str] | None = None
        if path.exists():
            path.unlink()  # a re-run's rejects replace the last run's

    def add(self, source: Path, record: Assembled, problems: list[FieldProblem]) -> None:
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8")
            self.report.rejects_file = self.path
        self.report.rejected += 1
        self.report.reasons.update(_reason_key(p) for p in problems)
        line = {
            "file": str(source),
            "position": record.position,
            "filer": record.filer,
            "filer_reference": record.reference,
            "reasons": [
                {"field": p.path, "problem": p.problem, "value": p.value} for p in problems
            ],
            "rows": record.rows,
        }
        self.handle.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


@dataclass
class Importer:
    engine: Engine
    mapping: Mapping
    profile: JurisdictionProfile
    rates: RateTable
    on_written: OnWritten | None = None  # the decider, when past decisions are re-made
    chunk_size: int = DEFAULT_CHUNK
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    _filers: dict[str, int] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return f"history:{self.mapping.name}"

    def record_events(self, connection: Connection, written: list[Written]) -> None:
        """The feature event of every version written, as the decider would record it."""
        record_written_events(connection, written, self.rates, self.profile.currency)

    def filer_id(self, code: str) -> int:
        """The history filer account, created on first use."""
        if code not in self._filers:
            with self.engine.begin() as connection:
                try:
                    self._filers[code] = filers_repo.get_filer(connection, code).id
                except FilerError:
                    filer, _ = filers_repo.create_filer(
                        connection,
                        code=code,
                        name=self.mapping.filer_name or code,
                        filer_type=self.mapping.filer_type,
                        actor=self.actor,
                    )
                    self._filers[code] = filer.id
        return self._filers[code]

    def sources(self, files: Sequence[Path], chosen_format: str | None = None) -> list[Source]:
        sources = [Source(f, file_format(f, chosen_format), self.max_line_bytes) for f in files]
        check_headers(self.mapping, sources)
        return sources

    def run(
        self, source: Source, rejects_dir: Path, progress: Progress | None = None
    ) -> FileReport:
        report = FileReport(source.path)
        rejects = _Rejects(rejects_dir / f"{source.path.name}.rejects.ndjson", report)
        outcomes_only = self.mapping.is_outcomes_file(source.path)
        stem = source.path.stem
        total = source.size
        chunk: list[Assembled] = []

        def flush() -> None:
            self._store(source.path, chunk, outcomes_only, report, rejects)
            chunk.clear()
            if progress is not None:
                progress(report, source.done, total)

        try:
            for key, group in groups(source.rows(), self.mapping, stem, outcomes_only):
                report.rows += len(group)
                report.records += 1
                record = assemble(self.mapping, key, group, stem, outcomes_only)
                if not record.ok:
                    rejects.add(source.path, record, record.problems)
                    continue
                chunk.append(record)
                if len(chunk) >= self.chunk_size:
                    flush()
            flush()
        finally:
            rejects.close()
        return report

    def _store(
        self,
        path: Path,
        chunk: list[Assembled],
        outcomes_only: bool,
        report: FileReport,
        rejects: _Rejects,
    ) -> None:
        if not chunk:
            return
        by_filer: dict[int, list[Assembled]] = {}
        for record in chunk:
            assert record.filer is not None
            by_filer.setdefault(self.filer_id(record.filer), []).append(record)
        pending: list[tuple[int, Assembled]] = []  # (shipment version id, record) with outcomes
        with self.engine.begin() as connection:
            for filer_id, records in by_filer.items():
                if outcomes_only:
                    pending += self._locate(connection, records, path, rejects)
                    continue
                submissions = [
                    Submission(r.filing, received_at=r.received_at)  # type: ignore[arg-type]
                    for r in records
                ]
                results = write_shipments(
                    connection,
                    filer_id,
                    submissions,
                    profile=self.profile,
                    actor=self.actor,
                    on_written=self.on_written or self.record_events,
                )
                kept = []
                for record, result in zip(records, results, strict=True):
                    if not isinstance(result, Receipt):
                        problem = FieldProblem("filer_reference", result.message, record.reference)
                        rejects.add(path, record, [problem])
                        continue
                    if result.replayed:
                        report.replayed += 1
                    else:
                        report.new += 1
                        kept.append(self._provenance(result.shipment_id, path, record))
                    if record.outcome is not None:
                        pending.append((result.shipment_id, record))
                if kept:
                    connection.execute(history_rows.insert(), kept)
            self._outcomes(connection, pending, report)

    def _provenance(self, sid: int, path: Path, record: Assembled) -> dict[str, Any]:
        return {
            "shipment_id": sid,
            "mapping": self.mapping.name,
            "source_file": str(path)[-500:],
            "position": record.position[:50],
            "kept": record.kept,
            "imported_at": datetime.now(UTC),
        }

    def _locate(
        self, connection: Connection, records: list[Assembled], path: Path, rejects: _Rejects
    ) -> list[tuple[int, Assembled]]:
        found = []
        for record in records:
            try:
                sid = current_version_id(connection, record.filer or "", record.reference or "")
            except OutcomeError as error:
                rejects.add(path, record, [FieldProblem("filer_reference", str(error))])
                continue
            found.append((sid, record))
        return found

    def _outcomes(
        self, connection: Connection, pending: list[tuple[int, Assembled]], report: FileReport
    ) -> None:
        """Record the outcomes not stored already (same shipment, exam time, type, result)."""
        if not pending:
            return
        known = {
            (row.shipment_id, row.examined_at, row.exam_type, row.result)
            for row in connection.execute(
                select(
                    outcomes.c.shipment_id,
                    outcomes.c.examined_at,
                    outcomes.c.exam_type,
                    outcomes.c.result,
                ).where(outcomes.c.shipment_id.in_({sid for sid, _ in pending}))
            )
        }
        new = []
        for sid, record in pending:
            outcome = record.outcome
            assert outcome is not None
            key = (sid, outcome.examined_at, outcome.exam_type.value, outcome.result.value)
            if key in known:
                report.outcomes_known += 1
                continue
            known.add(key)
            new.append((sid, outcome, record.recorded_at))
        record_outcomes(connection, new, actor=self.actor)
        report.outcomes_new += len(new)
