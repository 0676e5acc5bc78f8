"""The app built from process settings: what uvicorn workers import."""

import gc
import sys

from ecomrisk.api.app import create_app
from ecomrisk.api.ops import logs
from ecomrisk.settings import get_settings

# Handlers run in worker threads; the default 5 ms GIL switch interval lets a busy
# worker keep the event loop waiting, which showed as milliseconds of latency per
# request in bench/ingest.py. 0.5 ms cut single-filing p50 from 7.5 to 5.2 ms.
sys.setswitchinterval(0.0005)
logs.configure(get_settings().log_level)  # JSON lines on stderr, in every worker
app = create_app(get_settings())

# Start-up leaves ~270,000 objects that live as long as the process (modules,
# schemas, routes, reference data). Each full collection walked them all: a
# 200-300 ms pause every ~2,000 filings, enough on its own to break the
# single-filing p99 goal. Frozen, a full collection sees only what requests made
# since (one of ~25 ms in 6,000 filings, bench on the ASGI app).
gc.collect()
gc.freeze()
