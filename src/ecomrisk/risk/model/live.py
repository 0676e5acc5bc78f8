"""The live and shadow models as deciding sees them: loaded from the registry,
re-checked at most every ``refresh_seconds``, re-loaded only when they changed."""

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from ecomrisk.risk.model import registry

if TYPE_CHECKING:
    from ecomrisk.risk.model.artifact import TrainedModel

REFRESH_SECONDS = 1.0


def _from_bytes(artifact: bytes, label: str) -> "TrainedModel":
    # XGBoost, scikit-learn and pandas load with the first model, not with every
    # process that decides (or every CLI command): most stores start with none.
    from ecomrisk.risk.model.artifact import TrainedModel

    return TrainedModel.from_bytes(artifact, label)


def load_model(connection: Connection, label: str) -> "TrainedModel":
    """A registered model version, ready to score."""
    stored = registry.load(connection, label)
    return _from_bytes(stored.artifact, stored.label)


@dataclass
class ModelCache:
    refresh_seconds: float = REFRESH_SECONDS
    _key: tuple[tuple[int, str], ...] | None = None
    _live: "TrainedModel | None" = None
    _shadows: "list[TrainedModel]" = field(default_factory=list)
    _checked: float = -1e9

    def current(self, connection: Connection) -> "tuple[TrainedModel | None, list[TrainedModel]]":
        if time.monotonic() - self._checked < self.refresh_seconds:
            return self._live, self._shadows
        self._checked = time.monotonic()
        key = registry.status_key(connection)
        if key != self._key:
            live = registry.with_status(connection, "live")
            self._live = _from_bytes(live[0].artifact, live[0].label) if live else None
            self._shadows = [
                _from_bytes(m.artifact, m.label) for m in registry.with_status(connection, "shadow")
            ]
            self._key = key
        return self._live, self._shadows
