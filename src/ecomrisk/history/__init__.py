"""Onboarding an agency's history: past declarations and inspection outcomes, imported
through a column mapping into the same tables, feature events and outcomes as live
filings (see docs/history.md)."""

from ecomrisk.history.mapping import Mapping, MappingError, load_mapping, shipped_mappings
from ecomrisk.history.pipeline import FileReport, Importer
from ecomrisk.history.readers import SourceError

__all__ = [
    "FileReport",
    "Importer",
    "Mapping",
    "MappingError",
    "SourceError",
    "load_mapping",
    "shipped_mappings",
]
