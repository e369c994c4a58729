"""Command-line argument types shared by genba's tools (``genba run``, ``genba-policy``)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def number_in(
    lo: float, hi: float, kind: type = float, not_a_number: str | None = None, out_of_range: str | None = None
) -> Callable[[str], float]:
    """An argparse ``type``: a finite number of ``kind`` in [lo, hi]; NaN and inf are refused.

    ``not_a_number`` and ``out_of_range`` replace the default messages (the text given is appended)."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(
                f"{not_a_number}, got '{text}'" if not_a_number else f"{text!r} is not {what}"
            ) from None
        if not (math.isfinite(value) and lo <= value <= hi):
            raise argparse.ArgumentTypeError(
                f"{out_of_range}, got {text}" if out_of_range else f"{text} is not in [{lo:g}, {hi:g}]"
            )
        return value

    return parse
