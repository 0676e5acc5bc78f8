"""The app built from process settings: what uvicorn workers import."""

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
