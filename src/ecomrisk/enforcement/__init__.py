"""Enforcement: cases after an exam (detention, seizure, abandonment, release,
forfeiture, destruction) with their notice deadlines."""
