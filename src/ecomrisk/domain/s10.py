"""UPU S10 item identifiers (e.g. ``RR123456785CN``), used as tracking numbers for mail.

The check digit follows UPU standard S10: weights 8 6 4 2 3 5 9 7 over the
eight serial digits, then 11 minus the sum modulo 11, with 10 -> 0 and 11 -> 5.
"""

import re

_S10 = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """Check digit for an eight-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial number has exactly 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10_problem(identifier: str) -> str | None:
    """Why ``identifier`` is not a valid S10 identifier, or None if it is."""
    if not _S10.match(identifier):
        return "expected 2 letters, 9 digits and a 2-letter country code, e.g. RR123456785CN"
    serial, check = identifier[2:10], int(identifier[10])
    expected = s10_check_digit(serial)
    if check != expected:
        return f"check digit is {check}, expected {expected}"
    return None


def make_s10(service: str, serial: int, country: str) -> str:
    """Build a valid S10 identifier (used by the synthetic world and tests)."""
    digits = f"{serial:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"
