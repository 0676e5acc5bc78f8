"""Line numbers of keys in a TOML text, for errors that point at the mapping line.

``tomllib`` returns plain dicts without positions, so the text is scanned once:
table headers (``[a.b]``, ``[[a]]``) set the current table and each ``key = ...``
line records the full dotted path of its key. Keys inside an inline table
(``hs_code = { column = "HS6", pad = 6 }``) share the line of their parent,
which is where a person looks for them anyway.
"""

import re

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<key>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_BARE = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)"
_KEY = re.compile(rf"^\s*(?P<key>{_BARE}(?:\s*\.\s*{_BARE})*)\s*=")
_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+)")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(next(g for g in m.groups() if g is not None) for m in _PART.finditer(dotted))


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Every table and key path in ``text`` with the (1-based) line it is on."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:  # inside a multi-line string or array: no keys here
            if line.count('"""') % 2 or line.count("'''") % 2 or line.strip().startswith("]"):
                in_multiline = False
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group("key"))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = table + _parts(key.group("key"))
            lines.setdefault(path, number)
            rest = line[key.end() :].strip()
            open_string = rest.startswith(('"""', "'''")) and rest.count(rest[:3]) == 1
            open_array = rest.startswith("[") and rest.count("[") > rest.count("]")
            in_multiline = open_string or open_array
    return lines


def line_of(lines: dict[tuple[str, ...], int], path: tuple[str, ...]) -> int | None:
    """The line of ``path``, or of its nearest enclosing key or table that is in the text."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
