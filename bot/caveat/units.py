"""Units of measure brought to one scale, so "1.4 km" meets "1,410 m".

Recognising a unit in text stays with `caveat_lexicon.UNITS` (small, and it knows "in" is only a
unit after a number); here each of its canonical units has its factor to the SI base unit of its
dimension, by the units' exact definitions (the international foot, mile, acre and pound; a
Julian year, as pint and astronomy take it). The units library pint gave these factors before:
loading it took 0.3 s and 7 MiB of every start, for 22 fixed numbers. Money and percentages are
left as they are: exchange rates change, and a share is no physical unit.
"""

from __future__ import annotations

_LENGTH, _AREA, _MASS = "[length]", "[length] ** 2", "[mass]"
_SPEED, _TIME = "[length] / [time]", "[time]"
_FOOT, _MILE, _HOUR = 0.3048, 1609.344, 3600.0
_YEAR = 365.25 * 86400.0

# The lexicon's canonical units: (factor to the base unit, the dimension).
_SCALES: dict[str, tuple[float, str]] = {
    "km": (1000.0, _LENGTH),
    "m": (1.0, _LENGTH),
    "cm": (0.01, _LENGTH),
    "mm": (0.001, _LENGTH),
    "ft": (_FOOT, _LENGTH),
    "in": (0.0254, _LENGTH),
    "mi": (_MILE, _LENGTH),
    "acre": (_MILE**2 / 640, _AREA),
    "ha": (10_000.0, _AREA),
    "m2": (1.0, _AREA),
    "km2": (1_000_000.0, _AREA),
    "kg": (1.0, _MASS),
    "g": (0.001, _MASS),
    "lb": (0.45359237, _MASS),
    "t": (1000.0, _MASS),
    "mph": (_MILE / _HOUR, _SPEED),
    "km/h": (1000.0 / _HOUR, _SPEED),
    "year": (_YEAR, _TIME),
    "month": (_YEAR / 12, _TIME),
    "day": (86400.0, _TIME),
    "hour": (_HOUR, _TIME),
    "minute": (60.0, _TIME),
}


def to_base(low: float, high: float, unit: str) -> tuple[float, float, str]:
    """(low, high) in the base unit of `unit`'s dimension, named by that dimension."""
    scale = _SCALES.get(unit)
    if scale is None:
        return low, high, unit
    factor, dimension = scale
    return low * factor, high * factor, dimension
