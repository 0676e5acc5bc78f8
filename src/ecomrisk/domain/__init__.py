"""The domain: typed records, enumerations and jurisdiction profiles. Pure, no I/O."""
