"""The audit log: append-only, every entry hash-chained to the one before.

``record`` appends an entry inside the caller's transaction, so a state change
and its audit entry commit together or not at all; ``verify`` walks the chain
and reports the first entry that was changed, inserted or deleted.
"""

from ecomrisk.audit.chain import GENESIS_HASH, ChainBreak, Entry
from ecomrisk.audit.log import record, verify

__all__ = ["GENESIS_HASH", "ChainBreak", "Entry", "record", "verify"]
