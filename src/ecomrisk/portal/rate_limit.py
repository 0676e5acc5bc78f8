"""Per-client rate limits kept in the store, so they hold across workers and restarts.

A client is the SHA-256 of its IP address (the address itself is not kept).
"""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from ecomrisk.store.schema import portal_events

# Events older than this are deleted as new ones come: no window is longer.
KEEP = timedelta(days=1)


def client_of(ip: str) -> str:
    return hashlib.sha256(ip.encode()).hexdigest()


def hit(connection: Connection, client: str, action: str, limit: int, window: timedelta) -> bool:
    """Count one ``action`` of ``client``; False (and not counted) when it already did
    ``limit`` of them within ``window``."""
    now = datetime.now(UTC)
    recent = connection.execute(
        select(func.count()).where(
            portal_events.c.client == client,
            portal_events.c.action == action,
            portal_events.c.at > now - window,
        )
    ).scalar_one()
    if recent >= limit:
        return False
    connection.execute(portal_events.insert().values(client=client, action=action, at=now))
    connection.execute(
        delete(portal_events).where(
            portal_events.c.client == client, portal_events.c.at < now - KEEP
        )
    )
    return True
