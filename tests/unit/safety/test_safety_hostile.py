"""Hostile scans, commands and clocks (tests/hostile_inputs.py): the core's output stays finite and
within limits, zero on an untrusted clock, and never heads for a return inside its stop distance.
The benchmark suite runs the same property on 10,000 sequences."""

from hostile_inputs import run_and_check, sequences
from hypothesis import HealthCheck, given, settings


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sequences)
def test_no_hostile_sequence_drives_the_core_to_the_unsafe_side(sequence):
    run_and_check(sequence)
