"""requirements-ros.txt (what a machine with a ROS 2 install takes from pip) stays in step with
requirements.txt (the pinned set `./genba` installs and every test runs on)."""

from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
HUMBLE, JAZZY_KILTED = "3.10", "3.12"  # the Python of each distro's Ubuntu


def _requirements(name: str) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / name).read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _pins_for(reqs: list[Requirement], python: str) -> dict[str, str]:
    env = {"python_version": python, "python_full_version": f"{python}.0"}
    pins: dict[str, str] = {}
    for r in reqs:
        if r.marker is None or r.marker.evaluate(env):
            name = canonicalize_name(r.name)
            assert name not in pins, f"two pins of {r.name} apply on Python {python}"
            pins[name] = str(r.specifier)
    return pins


def test_pythons_from_3_11_take_the_versions_the_tests_run_on():
    tested = _pins_for(_requirements("requirements.txt"), JAZZY_KILTED)
    for python in ("3.11", JAZZY_KILTED, "3.13"):
        for name, spec in _pins_for(_requirements("requirements-ros.txt"), python).items():
            assert tested.get(name) == spec, (
                f"Python {python}: {name}{spec}, requirements.txt has {tested.get(name)}"
            )


def test_each_distro_python_gets_one_exact_pin_of_every_package():
    ros = _requirements("requirements-ros.txt")
    wanted = {canonicalize_name(r.name) for r in ros} - {"numpy"}  # numpy: the distro's, except on Humble
    for python in (HUMBLE, JAZZY_KILTED):
        pins = _pins_for(ros, python)
        assert wanted <= set(pins), f"Python {python} lacks {wanted - set(pins)}"
        assert all(spec.startswith("==") for spec in pins.values()), pins
    assert _pins_for(ros, HUMBLE)["numpy"].startswith("==1."), "Humble's compiled packages need numpy 1"
