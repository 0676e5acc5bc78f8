"""Facilities and their daily inspection capacity, set by administrators; every
change is audited with the values before and after."""

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from ecomrisk import audit
from ecomrisk.domain.enums import ExamType
from ecomrisk.store.schema import facilities

# Port and facility codes as shipments name them (port_of_arrival): e.g. JFK, 4701, USLAX.
CODE = re.compile(r"^[A-Z0-9]{2,10}$")
MAX_PER_DAY = 1_000_000
COLUMNS = {
    ExamType.DOCUMENT_REVIEW: "document_review_per_day",
    ExamType.SCAN: "scan_per_day",
    ExamType.PHYSICAL: "physical_per_day",
}


class FacilityError(ValueError):
    """A facility change that cannot be made; the message names the field."""


class FacilityNotFoundError(FacilityError, LookupError):
    pass


@dataclass(frozen=True)
class Facility:
    id: int
    code: str
    name: str
    document_review_per_day: int
    scan_per_day: int
    physical_per_day: int
    active: bool

    @property
    def capacity(self) -> dict[ExamType, int]:
        return {exam: getattr(self, column) for exam, column in COLUMNS.items()}

    def public(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "active": self.active,
            "capacity": {exam.value: n for exam, n in self.capacity.items()},
        }


def _facility(row: object) -> Facility:
    fields = {name: getattr(row, name) for name in Facility.__dataclass_fields__}
    return Facility(**fields)


def check_code(code: str) -> str:
    if not CODE.match(code):
        raise FacilityError(
            f"code: {code!r} is not a port or facility code (2-10 upper-case letters or digits)"
        )
    return code


def _check_capacity(capacity: dict[ExamType, int]) -> None:
    for exam, count in capacity.items():
        if not 0 <= count <= MAX_PER_DAY:
            raise FacilityError(
                f"capacity.{exam.value}: {count} must be a whole number from 0 to {MAX_PER_DAY:,}"
            )


def get(connection: Connection, code: str) -> Facility:
    row = connection.execute(select(facilities).where(facilities.c.code == code)).one_or_none()
    if row is None:
        raise FacilityNotFoundError(f"no facility {code!r}")
    return _facility(row)


def list_all(connection: Connection, active_only: bool = False) -> list[Facility]:
    query = select(facilities).order_by(facilities.c.code)
    if active_only:
        query = query.where(facilities.c.active)
    return [_facility(row) for row in connection.execute(query)]


def put(
    connection: Connection,
    code: str,
    *,
    actor: str,
    name: str | None = None,
    capacity: dict[ExamType, int] | None = None,
    active: bool | None = None,
) -> Facility:
    """Create a facility or change what is given of it; audited. A new facility
    needs a name; capacities not given stay as they are (0 when new)."""
    check_code(code)
    if name is not None and not 1 <= len(name.strip()) <= 200:
        raise FacilityError("name: must be 1 to 200 characters")
    _check_capacity(capacity or {})
    try:
        before: Facility | None = get(connection, code)
    except FacilityNotFoundError:
        before = None
    if before is None and name is None:
        raise FacilityError(f"name: required to create facility {code!r}")
    values: dict[str, object] = {"updated_at": datetime.now(UTC)}
    if name is not None:
        values["name"] = name.strip()
    if active is not None:
        values["active"] = active
    for exam, count in (capacity or {}).items():
        values[COLUMNS[exam]] = count
    if before is None:
        defaults = dict.fromkeys(COLUMNS.values(), 0)
        connection.execute(facilities.insert().values(code=code, **{**defaults, **values}))
    else:
        connection.execute(facilities.update().where(facilities.c.id == before.id).values(values))
    after = get(connection, code)
    audit.record(
        connection,
        actor=actor,
        action="facility.create" if before is None else "facility.update",
        entity="facility",
        entity_id=code,
        before=None if before is None else _audited(before),
        after=_audited(after),
    )
    return after


def _audited(facility: Facility) -> dict[str, object]:
    fields = asdict(facility)
    fields.pop("id")
    return fields
