"""Deterministic groups: signatures that share a marketplace seller id, or both phone
and email, are one party without any scoring.

A seller filing thousands of name and address variants would otherwise make
millions of pairs in one block; grouping first, and scoring only pairs across
groups, keeps blocks small. Both the batch resolver and the filing-time linker
use these keys, so they agree on the groups.
"""

from collections.abc import Sequence

from ecomrisk.risk.network.components import components
from ecomrisk.risk.network.keys import Keys


def group_keys(keys: Keys) -> list[str]:
    out = []
    if keys.seller:
        out.append(f"seller:{keys.seller}")
    if keys.phone and keys.email:
        out.append(f"phone+email:{keys.phone}|{keys.email}")
    return out


def deterministic_groups(
    ids: Sequence[int], keys: Sequence[Keys]
) -> tuple[list[int], list[tuple[int, int, str]]]:
    """The group of each signature (its smallest id) and the links that made the
    groups: (signature, first signature with the same key, the key)."""
    first: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    links: list[tuple[int, int, str]] = []
    for i, record_keys in enumerate(keys):
        for key in group_keys(record_keys):
            j = first.setdefault(key, i)
            if j != i:
                edges.append((j, i))
                links.append((ids[j], ids[i], key.partition(":")[0]))
    root = components(len(ids), edges)  # ids are ascending: the root is the smallest
    return [ids[r] for r in root], links
