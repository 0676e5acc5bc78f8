"""Entity-history features, defined once and compiled to an online query and to batch SQL.

``definitions`` says what a feature is (pure data), ``catalogue`` lists the
features ecomrisk computes, ``sql`` builds the SQL for any engine dialect,
``online`` runs it for one filing on the operational store and ``batch`` runs
it over all history on DuckDB.
"""
