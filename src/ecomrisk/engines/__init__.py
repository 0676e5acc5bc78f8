"""Batch engines and the SQL dialects that tell them apart.

SQL is built once by functions that only build strings (``*_sql``); what differs
between engines lives in a small dialect object here, never in business logic.
"""
