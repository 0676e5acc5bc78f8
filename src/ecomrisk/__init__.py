"""ecomrisk: risk management for customs administrations facing cross-border e-commerce."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ecomrisk")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
