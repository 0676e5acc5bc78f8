"""The app built from process settings: what uvicorn workers import."""

from ecomrisk.api.app import create_app
from ecomrisk.settings import get_settings

app = create_app(get_settings())
