"""Energy meters on fake sysfs trees: Jetson INA3221 (both drivers), Intel RAPL, and none."""

from pathlib import Path

import pytest

from genba_common.power import (
    EnergyCounter,
    SampledPower,
    Unavailable,
    ina3221_rails,
    integrate,
    open_energy_meter,
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def orin_hwmon(root: Path, rails: dict[str, tuple[int, int]]) -> None:
    """JetPack 5+ layout: hwmon channels with a label, millivolts and milliamps."""
    hw = root / "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3"
    for k, (name, (mv, ma)) in enumerate(rails.items(), start=1):
        write(hw / f"in{k}_label", name)
        write(hw / f"in{k}_input", str(mv))
        write(hw / f"curr{k}_input", str(ma))


def test_orin_input_rail_is_the_total(tmp_path):
    orin_hwmon(tmp_path, {"VDD_IN": (5000, 1600), "VDD_CPU_GPU_CV": (5000, 600), "VDD_SOC": (5000, 300)})
    meter = open_energy_meter(tmp_path, nvml=False)
    assert isinstance(meter, SampledPower) and meter.source == "ina3221 (module input)"
    assert meter.read_watts() == pytest.approx(8.0)  # 5 V x 1.6 A; the other rails are inside it


def test_rails_are_summed_without_an_input_rail(tmp_path):
    orin_hwmon(tmp_path, {"VDD_GPU": (5000, 400), "VDD_CPU": (5000, 200)})
    hw = tmp_path / "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3"
    write(hw / "in3_label", "unconnected")  # a label without readings is no rail
    assert set(ina3221_rails(tmp_path)) == {"VDD_GPU", "VDD_CPU"}
    assert open_energy_meter(tmp_path, nvml=False).read_watts() == pytest.approx(3.0)


def test_jetpack4_iio_layout_in_milliwatts(tmp_path):
    dev = tmp_path / "bus/i2c/drivers/ina3221x/6-0040/iio:device0"
    for k, (name, mw) in enumerate({"POM_5V_IN": 4200, "POM_5V_GPU": 900, "POM_5V_CPU": 700}.items()):
        write(dev / f"rail_name_{k}", name)
        write(dev / f"in_power{k}_input", str(mw))
    meter = open_energy_meter(tmp_path, nvml=False)
    assert meter.read_watts() == pytest.approx(4.2)


def test_sampled_power_integrates_the_readings_over_the_work():
    clock = iter(float(t) for t in range(100))
    watts = iter([2.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    meter = SampledPower("fake", lambda: next(watts), clock=lambda: next(clock), period_s=10.0)
    calls = []
    report = meter.measure(lambda: calls.append(1), 4)
    # samples at t=0 (2 W) and after the work at t=1 (2 W): 2 J over 1 s; the sampler did not run
    assert len(calls) == 4 and report.joules == pytest.approx(2.0) and report.seconds == 1.0
    assert report.joules_per_call == pytest.approx(0.5)
    assert report.calls_per_second_per_watt == pytest.approx(2.0)
    assert integrate([(0.0, 1.0), (1.0, 3.0), (3.0, 3.0)]) == pytest.approx(2.0 + 6.0)


def rapl(root: Path, packages: dict[str, int], max_uj: int = 262143328850) -> None:
    for name, uj in packages.items():
        write(root / f"class/powercap/{name}/energy_uj", str(uj))
        write(root / f"class/powercap/{name}/max_energy_range_uj", str(max_uj))
        write(root / f"class/powercap/{name}/name", "package")
    # a sub-zone (core, dram) must not be counted twice
    write(root / "class/powercap/intel-rapl:0:0/energy_uj", "999999999")


def test_rapl_counts_the_packages_energy_and_survives_a_wrap(tmp_path):
    rapl(tmp_path, {"intel-rapl:0": 1_000_000, "intel-rapl:1": 2_000_000}, max_uj=10_000_000)
    meter = open_energy_meter(tmp_path, nvml=False)
    assert isinstance(meter, EnergyCounter) and meter.source == "rapl (2 packages)"
    assert meter.read_joules() == pytest.approx(3.0)

    def work():  # each call burns 1.5 J on package 0, which then wraps past its range
        p = tmp_path / "class/powercap/intel-rapl:0/energy_uj"
        p.write_text(str((int(p.read_text()) + 1_500_000) % 10_000_000))

    report = meter.measure(work, 2)
    assert report.joules == pytest.approx(3.0)
    for _ in range(5):
        work()  # 1.0 -> 8.5 J on package 0
    report = meter.measure(work, 2)  # 8.5 -> 11.5 J: wraps to 1.5
    assert report.joules == pytest.approx(3.0)


def test_rapl_readable_by_root_only_is_unavailable_with_the_reason(tmp_path, monkeypatch):
    rapl(tmp_path, {"intel-rapl:0": 5})
    locked = tmp_path / "class/powercap/intel-rapl:0/energy_uj"
    read_text = Path.read_text

    def read_as_a_user(self, *args, **kwargs):  # energy_uj is 0400 root since Linux 5.10 (CVE-2020-8694)
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_as_a_user)
    meter = open_energy_meter(tmp_path, nvml=False)
    assert isinstance(meter, Unavailable) and "root only" in meter.reason


def test_no_meter_is_unavailable_not_zero(tmp_path):
    meter = open_energy_meter(tmp_path, nvml=False)
    assert isinstance(meter, Unavailable)
    report = meter.measure(lambda: None, 10)
    assert report.joules is None and report.joules_per_call is None and report.n == 10
    assert report.describe().startswith("energy unavailable (no INA3221 rails, RAPL counters or NVML")
