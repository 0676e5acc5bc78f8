"""The operational store: SQLAlchemy Core tables, migrations and repositories."""
