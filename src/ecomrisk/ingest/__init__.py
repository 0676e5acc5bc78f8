"""Advance-data ingestion: validation, normalisation, canonical hashing, data
quality and bulk file formats. Pure: the store and the API do the I/O."""
