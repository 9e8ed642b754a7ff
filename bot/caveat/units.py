"""Units of measure brought to one scale with pint, so "1.4 km" meets "1,410 m".

Recognising a unit in text stays with `caveat_lexicon.UNITS` (small, and it knows "in" is only a
unit after a number); pint brings the conversion factors between units of one dimension. Money
and percentages are left as they are: exchange rates change, and a share is no physical unit.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# The lexicon's canonical units, as pint names them.
_PINT_NAMES = {
    "km": "kilometer",
    "m": "meter",
    "cm": "centimeter",
    "mm": "millimeter",
    "ft": "foot",
    "in": "inch",
    "mi": "mile",
    "acre": "acre",
    "ha": "hectare",
    "m2": "meter ** 2",
    "km2": "kilometer ** 2",
    "kg": "kilogram",
    "g": "gram",
    "lb": "pound",
    "t": "metric_ton",
    "mph": "mile / hour",
    "km/h": "kilometer / hour",
    "year": "year",
    "month": "month",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
}


def to_base(low: float, high: float, unit: str) -> tuple[float, float, str]:
    """(low, high) in the base unit of `unit`'s dimension, named by that dimension."""
    scale = _scale(unit)
    if scale is None:
        return low, high, unit
    factor, dimension = scale
    return low * factor, high * factor, dimension


@lru_cache(maxsize=64)
def _scale(unit: str) -> tuple[float, str] | None:
    name = _PINT_NAMES.get(unit)
    if name is None:
        return None
    quantity = _registry().Quantity(1.0, name).to_base_units()
    return float(quantity.magnitude), str(quantity.dimensionality)


def load() -> None:
    """Load the unit registry now (once per process: ~0.3 s), so that no answer waits for it."""
    _registry()


@lru_cache(maxsize=1)
def _registry() -> Any:
    """pint's unit registry (it takes a moment to load: see `load`)."""
    import pint

    return pint.UnitRegistry()
