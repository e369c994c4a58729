"""Energy meters: how many joules a piece of work takes, where the machine can say.

Backends, tried in this order by :func:`open_energy_meter`:

* ``ina3221``: Jetson's INA3221 power monitors, through hwmon (JetPack 5+:
  ``/sys/bus/i2c/drivers/ina3221/*/hwmon/hwmon*/in<N>_label``, ``in<N>_input`` mV,
  ``curr<N>_input`` mA) or the older IIO driver (JetPack 4: ``/sys/bus/i2c/drivers/ina3221x/*/
  iio:device*/rail_name_<N>``, ``in_power<N>_input`` mW). The module's input rail (``VDD_IN``,
  ``POM_5V_IN``) is the total where there is one; otherwise the rails are summed. Power is sampled
  while the work runs and integrated.
* ``rapl``: Intel RAPL energy counters (``/sys/class/powercap/intel-rapl:<N>/energy_uj``, the
  packages; wraps at ``max_energy_range_uj``), read before and after.
* ``nvml``: an NVIDIA GPU's energy counter through ``pynvml`` (Volta and later), where installed.

Where none reads, the meter is :class:`Unavailable`, with the reason: a figure is then reported as
"unavailable", never as zero. The sysfs root and the clock are injected, so tests run on fake trees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

INPUT_RAILS = ("VDD_IN", "POM_5V_IN")  # a Jetson module's total input, where the board has the rail
SAMPLE_PERIOD_S = 0.005


@dataclass(frozen=True)
class EnergyReport:
    """Joules over a run of ``n`` calls taking ``seconds``; None where the meter cannot say."""

    source: str
    joules: float | None
    seconds: float
    n: int
    reason: str = ""  # why there is no figure

    @property
    def joules_per_call(self) -> float | None:
        return self.joules / self.n if self.joules is not None and self.n else None

    @property
    def calls_per_second_per_watt(self) -> float | None:
        """Calls per joule, which is calls per second per watt."""
        return self.n / self.joules if self.joules else None

    def describe(self) -> str:
        if self.joules is None:
            return f"energy unavailable ({self.reason})"
        return (f"{self.joules_per_call * 1e3:.3f} mJ per call, "
                f"{self.calls_per_second_per_watt:.1f} calls/s/W "
                f"({self.source}, {self.joules / self.seconds:.2f} W over {self.seconds:.2f} s)")


class EnergyMeter:
    source = "none"

    def measure(self, work: Callable[[], object], n: int) -> EnergyReport:
        """Run ``work`` ``n`` times and report the energy it took."""
        raise NotImplementedError


class Unavailable(EnergyMeter):
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def measure(self, work: Callable[[], object], n: int) -> EnergyReport:
        t0 = time.perf_counter()
        for _ in range(n):
            work()
        return EnergyReport("none", None, time.perf_counter() - t0, n, self.reason)


class SampledPower(EnergyMeter):
    """A power reading (watts) sampled on a thread while the work runs, integrated by trapezoids."""

    def __init__(self, source: str, read_watts: Callable[[], float],
                 clock: Callable[[], float] = time.perf_counter, period_s: float = SAMPLE_PERIOD_S) -> None:
        self.source, self.read_watts, self.clock, self.period_s = source, read_watts, clock, period_s

    def measure(self, work: Callable[[], object], n: int) -> EnergyReport:
        samples: list[tuple[float, float]] = [(self.clock(), self.read_watts())]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(self.period_s):
                samples.append((self.clock(), self.read_watts()))

        sampler = threading.Thread(target=sample, daemon=True, name="power-sampler")
        sampler.start()
        t0 = samples[0][0]
        for _ in range(n):
            work()
        stop.set()
        sampler.join()
        samples.append((self.clock(), self.read_watts()))
        return EnergyReport(self.source, integrate(samples), samples[-1][0] - t0, n)


def integrate(samples: list[tuple[float, float]]) -> float:
    """Joules from (time s, watts) samples, by trapezoids."""
    return sum((t1 - t0) * (w0 + w1) / 2.0 for (t0, w0), (t1, w1) in zip(samples, samples[1:], strict=False))


class EnergyCounter(EnergyMeter):
    """A cumulative energy counter (joules), read before and after; ``wrap_j`` is where it wraps."""

    def __init__(self, source: str, read_joules: Callable[[], float], wrap_j: float | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.source, self.read_joules, self.wrap_j, self.clock = source, read_joules, wrap_j, clock

    def measure(self, work: Callable[[], object], n: int) -> EnergyReport:
        t0, e0 = self.clock(), self.read_joules()
        for _ in range(n):
            work()
        t1, e1 = self.clock(), self.read_joules()
        used = e1 - e0
        if used < 0 and self.wrap_j:
            used += self.wrap_j  # the counter wrapped once (a run far shorter than a wrap)
        return EnergyReport(self.source, used, t1 - t0, n)


def _read_number(path: Path) -> float:
    return float(path.read_text().strip())


def ina3221_rails(sysfs: Path) -> dict[str, Callable[[], float]]:
    """Each INA3221 rail's power reader (watts), by rail name, from either driver's layout."""
    rails: dict[str, Callable[[], float]] = {}
    drivers = sysfs / "bus" / "i2c" / "drivers"
    for label in sorted(drivers.glob("ina3221/*/hwmon/hwmon*/in*_label")):
        channel = label.name[2:-len("_label")]
        volts, amps = label.with_name(f"in{channel}_input"), label.with_name(f"curr{channel}_input")
        if volts.exists() and amps.exists():
            rails[label.read_text().strip()] = (
                lambda v=volts, a=amps: _read_number(v) * _read_number(a) / 1e6)  # mV * mA
    for name in sorted(drivers.glob("ina3221x/*/iio:device*/rail_name_*")):
        power = name.with_name(f"in_power{name.name.rsplit('_', 1)[1]}_input")
        if power.exists():
            rails[name.read_text().strip()] = lambda p=power: _read_number(p) / 1e3  # mW
    return rails


def open_ina3221(sysfs: Path) -> EnergyMeter | None:
    rails = ina3221_rails(sysfs)
    if not rails:
        return None
    total = next((rails[r] for r in INPUT_RAILS if r in rails), None)
    if total is not None:
        return SampledPower("ina3221 (module input)", total)
    readers = list(rails.values())
    return SampledPower(f"ina3221 ({' + '.join(rails)})", lambda: sum(r() for r in readers))


def open_rapl(sysfs: Path) -> EnergyMeter | str | None:
    """The RAPL packages' energy counter; a reason string where they exist but cannot be read."""
    packages = [p for p in sorted((sysfs / "class" / "powercap").glob("intel-rapl:*"))
                if p.name.count(":") == 1 and (p / "energy_uj").exists()]
    if not packages:
        return None
    try:
        for p in packages:
            _read_number(p / "energy_uj")
    except PermissionError:
        return f"RAPL counters in {packages[0].parent} are readable by root only"
    wrap = sum(_read_number(p / "max_energy_range_uj") for p in packages
               if (p / "max_energy_range_uj").exists()) / 1e6 or None
    return EnergyCounter(f"rapl ({len(packages)} package{'s' * (len(packages) > 1)})",
                         lambda: sum(_read_number(p / "energy_uj") for p in packages) / 1e6, wrap)


def open_nvml() -> EnergyMeter | None:
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)  # mJ; Volta and later
    except Exception:  # no driver, no GPU, or a GPU without the counter
        return None
    return EnergyCounter("nvml (GPU 0)", lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(handle) / 1e3)


def open_energy_meter(sysfs_root: str | Path = "/sys", nvml: bool = True) -> EnergyMeter:
    """The first meter this machine has (INA3221, RAPL, NVML), else :class:`Unavailable`."""
    sysfs = Path(sysfs_root)
    meter = open_ina3221(sysfs)
    if meter is not None:
        return meter
    rapl = open_rapl(sysfs)
    if isinstance(rapl, EnergyMeter):
        return rapl
    gpu = open_nvml() if nvml else None
    if gpu is not None:
        return gpu
    if isinstance(rapl, str):
        return Unavailable(rapl)
    return Unavailable("no INA3221 rails, RAPL counters or NVML GPU on this machine")
