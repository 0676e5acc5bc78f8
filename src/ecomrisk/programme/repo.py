"""Applications to the programme and the programme manager's decisions on them.

An approval writes the party into ``trusted_parties`` (so targeting gives it
the profile's lower, never zero, random rate); a suspension or revocation ends
that entry's validity; reinstating a suspended member opens it again. Every
change is audited with the criteria evaluation it was made on.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from ecomrisk import audit
from ecomrisk.ingest import normalise
from ecomrisk.programme import evidence
from ecomrisk.programme.criteria import Evaluation, Thresholds, evaluate
from ecomrisk.store.schema import filers, programme_applications, programme_decisions
from ecomrisk.store.schema import trusted_parties as trusted
from ecomrisk.targeting import trusted_repo

ROLES = ("filer", "shipper", "consignee")
CHANNELS = ("filer_api", "app")
DECISIONS = ("approve", "deny", "suspend", "revoke", "reinstate")
# Which decision may follow which status, and the status it leads to.
TRANSITIONS: dict[str, dict[str, str]] = {
    "pending": {"approve": "approved", "deny": "denied"},
    "approved": {"suspend": "suspended", "revoke": "revoked"},
    "suspended": {"reinstate": "approved", "revoke": "revoked"},
}
SOURCE = "programme"


class ProgrammeError(ValueError):
    """An application or decision that cannot be stored; names the field."""


@dataclass(frozen=True)
class Application:
    id: int
    reference: str
    role: str
    key: str
    name: str
    country: str | None
    contact: str
    channel: str
    status: str
    submitted_by: str
    submitted_at: datetime
    member_since: str | None
    flagged: str | None


def _application(row: Any) -> Application:
    return Application(
        row.id,
        row.reference,
        row.role,
        row.key,
        row.name,
        row.country,
        row.contact,
        row.channel,
        row.status,
        row.submitted_by,
        row.submitted_at,
        row.member_since,
        row.flagged,
    )


def key_of(role: str, name: str) -> str:
    return name.strip() if role == "filer" else normalise.name(name)


def apply(
    connection: Connection,
    *,
    role: str,
    name: str,
    contact: str,
    channel: str,
    actor: str,
    country: str | None = None,
) -> Application:
    """Store a new application (pending). One open application or membership per party."""
    if role not in ROLES:
        raise ProgrammeError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if channel not in CHANNELS:
        raise ProgrammeError(f"channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    key = key_of(role, name)
    if not key:
        raise ProgrammeError("name: empty")
    if not contact.strip():
        raise ProgrammeError("contact: say how the programme can reach the applicant")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise ProgrammeError(f"country: {country!r} is not a two-letter ISO country code")
    if (
        role == "filer"
        and connection.execute(select(filers.c.id).where(filers.c.code == key)).first() is None
    ):
        raise ProgrammeError(f"name: no filer with code {key!r}")
    open_one = connection.execute(
        select(programme_applications.c.reference).where(
            programme_applications.c.role == role,
            programme_applications.c.key == key,
            programme_applications.c.status.in_(["pending", "approved", "suspended"]),
        )
    ).scalar()
    if open_one:
        raise ProgrammeError(f"name: {role} {key!r} already has application {open_one}")
    now = datetime.now(UTC)
    values = {
        "reference": "pending",
        "role": role,
        "key": key,
        "name": name.strip(),
        "country": country.upper() if country else None,
        "contact": contact.strip(),
        "channel": channel,
        "status": "pending",
        "submitted_by": actor,
        "submitted_at": now,
    }
    new_id = connection.execute(
        programme_applications.insert().values(**values).returning(programme_applications.c.id)
    ).scalar_one()
    reference = f"TP-{new_id:06d}"
    connection.execute(
        update(programme_applications)
        .where(programme_applications.c.id == new_id)
        .values(reference=reference)
    )
    audit.record(
        connection,
        actor=actor,
        action="programme.apply",
        entity="programme_application",
        entity_id=reference,
        after={k: v for k, v in values.items() if k not in ("reference", "submitted_at")},
    )
    return get(connection, reference)


def get(connection: Connection, reference: str) -> Application:
    row = connection.execute(
        select(programme_applications).where(programme_applications.c.reference == reference)
    ).first()
    if row is None:
        raise ProgrammeError(f"no application {reference!r}")
    return _application(row)


def list_applications(
    connection: Connection, status: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Application], int]:
    query = select(programme_applications)
    counted = select(func.count()).select_from(programme_applications)
    if status:
        query = query.where(programme_applications.c.status == status)
        counted = counted.where(programme_applications.c.status == status)
    rows = connection.execute(
        query.order_by(programme_applications.c.id.desc()).limit(limit).offset(offset)
    )
    return [_application(r) for r in rows], int(connection.execute(counted).scalar_one())


def evaluation_of(connection: Connection, app: Application, thresholds: Thresholds) -> Evaluation:
    return evaluate(evidence.gather(connection, app.role, app.key), thresholds)


def decisions_of(connection: Connection, app: Application) -> list[Any]:
    return list(
        connection.execute(
            select(programme_decisions)
            .where(programme_decisions.c.application_id == app.id)
            .order_by(programme_decisions.c.id)
        )
    )


def decide(
    connection: Connection,
    reference: str,
    decision: str,
    reason: str,
    *,
    actor: str,
    thresholds: Thresholds,
    today: date | None = None,
) -> Application:
    """Record a programme manager's decision and keep ``trusted_parties`` in step."""
    app = get(connection, reference)
    if decision not in DECISIONS:
        raise ProgrammeError(f"decision: {decision!r} is not one of {', '.join(DECISIONS)}")
    allowed = TRANSITIONS.get(app.status, {})
    if decision not in allowed:
        possible = ", ".join(allowed) or "none"
        raise ProgrammeError(
            f"decision: cannot {decision} an application that is {app.status} "
            f"(possible: {possible})"
        )
    if len(reason.strip()) < 5:
        raise ProgrammeError("reason: say why, in a few words at least")
    today = today or datetime.now(UTC).date()
    evaluation = evaluation_of(connection, app, thresholds)
    status = allowed[decision]
    _record(connection, app, decision, reason.strip(), evaluation, actor)
    since = app.member_since
    if decision == "approve":
        since = today.isoformat()
        _trust(connection, app, today, actor)
    elif decision == "reinstate":
        _trust(connection, app, today, actor)
    elif decision in ("suspend", "revoke"):
        _end_trust(connection, app, today, actor)
    connection.execute(
        update(programme_applications)
        .where(programme_applications.c.id == app.id)
        .values(status=status, member_since=since, flagged=None)
    )
    audit.record(
        connection,
        actor=actor,
        action=f"programme.{decision}",
        entity="programme_application",
        entity_id=reference,
        before={"status": app.status},
        after={"status": status, "reason": reason.strip(), "passed": evaluation.passed},
    )
    return get(connection, reference)


def _record(
    connection: Connection,
    app: Application,
    decision: str,
    reason: str,
    evaluation: Evaluation,
    actor: str,
) -> None:
    connection.execute(
        programme_decisions.insert().values(
            application_id=app.id,
            decision=decision,
            reason=reason,
            evaluation=evaluation.as_json(),
            actor=actor,
            at=datetime.now(UTC),
        )
    )


def _trust(connection: Connection, app: Application, today: date, actor: str) -> None:
    entry = connection.execute(
        select(trusted).where(trusted.c.role == app.role, trusted.c.key == app.key)
    ).first()
    if entry is None:
        trusted_repo.add(
            connection,
            app.role,
            app.key,
            source=f"{SOURCE} {app.reference}",
            actor=actor,
            valid_from=today,
        )
        return
    # The party was trusted before (an earlier membership or a manual entry): open it again.
    connection.execute(
        update(trusted)
        .where(trusted.c.id == entry.id)
        .values(valid_from=today.isoformat(), valid_to=None, source=f"{SOURCE} {app.reference}")
    )
    audit.record(
        connection,
        actor=actor,
        action="trusted.reopen",
        entity="trusted_party",
        entity_id=f"{app.role}:{app.key}",
        before={"valid_from": entry.valid_from, "valid_to": entry.valid_to},
        after={"valid_from": today.isoformat(), "valid_to": None},
    )


def _end_trust(connection: Connection, app: Application, today: date, actor: str) -> None:
    entry = connection.execute(
        select(trusted).where(trusted.c.role == app.role, trusted.c.key == app.key)
    ).first()
    if entry is None or (entry.valid_to is not None and entry.valid_to <= today.isoformat()):
        return
    # valid_to is exclusive: ending it today means targeting stops trusting it today.
    end = max(today.isoformat(), entry.valid_from)
    connection.execute(update(trusted).where(trusted.c.id == entry.id).values(valid_to=end))
    audit.record(
        connection,
        actor=actor,
        action="trusted.end",
        entity="trusted_party",
        entity_id=f"{app.role}:{app.key}",
        before={"valid_to": entry.valid_to},
        after={"valid_to": end},
    )


@dataclass(frozen=True)
class Revetted:
    reference: str
    name: str
    role: str
    passed: bool
    failed: list[str]
    action: str  # kept | flagged | suspended


def revet(
    connection: Connection,
    thresholds: Thresholds,
    *,
    actor: str,
    suspend: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Revetted]:
    """Re-evaluate every approved member: a failing one is flagged (``suspend``:
    suspended, which ends its trusted status). Each evaluation is recorded."""
    rows = connection.execute(
        select(programme_applications)
        .where(programme_applications.c.status == "approved")
        .order_by(programme_applications.c.id)
    ).all()
    out = []
    for done, row in enumerate(rows, 1):
        app = _application(row)
        evaluation = evaluation_of(connection, app, thresholds)
        failed = evaluation.failed
        action = "kept"
        if failed and suspend:
            reason = f"re-vetting: failed {', '.join(failed)}"
            decide(connection, app.reference, "suspend", reason, actor=actor, thresholds=thresholds)
            action = "suspended"
        else:
            _record(connection, app, "revet", "periodic re-vetting", evaluation, actor)
            flag = ", ".join(failed) if failed else None
            if flag != app.flagged:
                connection.execute(
                    update(programme_applications)
                    .where(programme_applications.c.id == app.id)
                    .values(flagged=flag)
                )
                audit.record(
                    connection,
                    actor=actor,
                    action="programme.revet",
                    entity="programme_application",
                    entity_id=app.reference,
                    before={"flagged": app.flagged},
                    after={"flagged": flag},
                )
            action = "flagged" if failed else "kept"
        out.append(Revetted(app.reference, app.name, app.role, not failed, failed, action))
        if progress is not None:
            progress("re-vetting members", done, len(rows))
    return out


@dataclass(frozen=True)
class PublicMember:
    """What the public portal may show of a member: nothing else leaves the store."""

    name: str
    role: str
    country: str | None
    since: str


def public_members(connection: Connection, query: str, limit: int = 50) -> list[PublicMember]:
    """Approved importers (consignees) and shippers whose name contains ``query``."""
    needle = normalise.name(query)
    if not needle:
        return []
    rows = connection.execute(
        select(
            programme_applications.c.name,
            programme_applications.c.role,
            programme_applications.c.country,
            programme_applications.c.member_since,
        )
        .where(
            programme_applications.c.status == "approved",
            programme_applications.c.role.in_(["shipper", "consignee"]),
            programme_applications.c.key.contains(needle, autoescape=True),
        )
        .order_by(programme_applications.c.name)
        .limit(limit)
    )
    return [PublicMember(r.name, r.role, r.country, r.member_since or "") for r in rows]
