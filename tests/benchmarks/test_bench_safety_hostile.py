"""10,000 hostile sequences of scans, commands and clocks through the safety core (the property of
tests/hostile_inputs.py): prints how many ran, how many steps met a return inside the stop distance,
and the time taken. It fails only on a counterexample, never on speed."""

import time

import pytest
from bench_report import report
from hostile_inputs import run_and_check, sequences
from hypothesis import HealthCheck, given, settings

EXAMPLES = 10_000


@pytest.mark.timeout(3600)
def test_ten_thousand_hostile_sequences_never_drive_the_core_to_the_unsafe_side():
    durations_ms: list[float] = []
    tally = {"steps": 0, "near": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(sequences)
    def prop(sequence):
        t0 = time.perf_counter()
        tally["near"] += run_and_check(sequence)
        durations_ms.append((time.perf_counter() - t0) * 1000.0)
        tally["steps"] += len(sequence)
        if len(durations_ms) % 1000 == 0:
            print(f"  ... {len(durations_ms)} sequences", flush=True)

    t0 = time.perf_counter()
    prop()
    print(f"\n  {len(durations_ms)} hostile sequences, {tally['steps']} steps, {tally['near']} of them with "
          f"a return inside the stop distance (braking checked); {time.perf_counter() - t0:.0f} s in all")
    report("one hostile sequence (core steps + checks)", durations_ms)
    assert len(durations_ms) >= EXAMPLES
