"""Operations: health and readiness probes, Prometheus metrics, structured logs,
request ids and security headers, for every route of the app (later ones too).

``OperationsMiddleware`` wraps the whole app; ``router`` serves ``/healthz``,
``/readyz`` and ``/metrics``.
"""

from ecomrisk.api.ops.middleware import OperationsMiddleware
from ecomrisk.api.ops.routes import router

__all__ = ["OperationsMiddleware", "router"]
