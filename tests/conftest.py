"""Shared test set-up: ROS traffic stays on this machine, in a domain of its own per session."""

import os
import random
from pathlib import Path

import pytest
from deployed import deployed_model_path

os.environ.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(120, 220)))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
os.environ.setdefault("MUJOCO_GL", "egl")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--port", default=None,
                     help="HIL tests: serial port of a real motor controller (default: emulator on a pty)")
    parser.addoption("--run-benchmarks", action="store_true", default=False,
                     help="also run tests/benchmarks (they print figures; they never fail on speed)")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    examples = os.environ.get("GENBA_MUTATION_EXAMPLES")
    if examples:
        _mutation_settings(items, int(examples))
    if config.getoption("--run-benchmarks"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with --run-benchmarks")
    for item in items:
        if "benchmarks" in item.path.parts:
            item.add_marker(skip)


def _mutation_settings(items: list, max_examples: int) -> None:
    """Under mutation testing (``genba mutate``): every Hypothesis test derandomized, without the
    example database, and with at most ``max_examples``, so a mutant's verdict repeats and a
    surviving mutant (which runs every test that reaches it) costs seconds, not a minute."""
    from hypothesis import settings

    for item in items:
        fn = getattr(item, "obj", None)
        inner = getattr(fn, "hypothesis", None)
        if inner is None:
            continue
        own = fn._hypothesis_internal_use_settings
        fn._hypothesis_internal_use_settings = settings(
            own, max_examples=min(own.max_examples, max_examples), derandomize=True, database=None)


@pytest.fixture
def tensorrt_provider() -> None:
    """Skips the test unless TensorRT and an onnxruntime build with its execution provider are here
    (a GPU machine; never CI)."""
    pytest.importorskip("tensorrt", reason="needs a GPU with TensorRT (never on CI)")
    import onnxruntime as ort
    if "TensorrtExecutionProvider" not in ort.get_available_providers():
        pytest.skip("this onnxruntime build has no TensorRT execution provider")


@pytest.fixture
def deployed_model() -> Path:
    """The model the stack deploys (the manifest's default)."""
    return deployed_model_path()
