"""Policy inference benchmark: batch-1 latency of torch eager vs ONNX Runtime CPU with 1 and 2
threads, measured in the same run, against budgets.yaml (ort_cpu_latency, ort_cpu_speedup); on a GPU
with TensorRT, the shipped student's TensorRT fp16 (target p99 <= 1 ms). Energy per inference of the
shipped student where the machine has a meter (genba_common.power), else "unavailable".
Run: ./genba test tests/benchmarks/test_bench_policy.py --run-benchmarks -s
"""

import time
from pathlib import Path

import torch
from bench_report import report_value

from genba_bringup.stack import default_stack_path, load_stack
from genba_training import report
from genba_training.export import approve, export_onnx
from genba_training.student import Student

ROOT = Path(__file__).resolve().parents[2]


def _deployed_student() -> tuple[str, str]:
    """(model, manifest) that the stack's policy node runs with backend onnx (`genba run --policy onnx`):
    the stack's manifest, and its default model."""
    from genba_common.manifest import default_model_path

    stack = load_stack(default_stack_path(), {"GENBA_ROOT": str(ROOT), "RUN_DIR": "", "SCENARIO": "",
                                              "CONTROLLER_PORT": ""})
    manifest = next(n for n in stack.nodes if n.name == "policy").overrides["manifest_path"]
    return str(default_model_path(manifest)), manifest


def test_policy_latency(tmp_path):
    torch.manual_seed(0)
    m = Student().eval()
    path, manifest = tmp_path / "s.onnx", tmp_path / "manifest.yaml"
    export_onnx(m, path, {})
    approve(path, manifest, "bench")
    lat = report.latency(m, str(path), str(manifest), n=1000)
    print("\nstudent policy, batch 1 (same inputs, same run):")
    for k, v in lat.items():
        print(f"  {k:<28} p50 {v['p50_ms']:7.3f} ms  p99 {v['p99_ms']:7.3f} ms")
    eager = lat["torch_eager_1thread"]["p50_ms"]
    for k in ("onnxruntime_cpu_1thread", "onnxruntime_cpu_2thread"):
        print(f"  speed-up over torch eager ({k}): {eager / lat[k]['p50_ms']:.1f}x at p50")
    ort = lat["onnxruntime_cpu_1thread"]
    report_value("ort_cpu_speedup", eager / ort["p50_ms"], "(1 thread, against torch eager in this run)")
    report_value("ort_cpu_latency", ort["p99_ms"], f"(p50 {ort['p50_ms']:.3f} ms)")
    assert set(lat) == {"torch_eager_1thread", "onnxruntime_cpu_1thread", "onnxruntime_cpu_2thread"}


def test_shipped_student_latency_on_tensorrt(tmp_path, tensorrt_provider):
    """The approved student on TensorRT fp16 beside ONNX Runtime CPU, same inputs, same run. The
    engine is built into a fresh cache first (the build time is printed), then timed."""
    from genba_policy.runtime import OnnxPolicy

    model, manifest = _deployed_student()
    t0 = time.perf_counter()
    trt = OnnxPolicy(model, manifest, "tensorrt", str(tmp_path / "cache"), log=print)
    print(f"  engine built and cached in {time.perf_counter() - t0:.1f} s")
    assert trt.backend == "tensorrt"
    cpu = OnnxPolicy(model, manifest, "cpu", log=lambda s: None)
    obs = report.latency_inputs()
    lat = report.percentiles({"tensorrt_fp16": report.onnx_latencies(trt, obs, 2000),
                              "onnxruntime_cpu_1thread": report.onnx_latencies(cpu, obs, 2000)})
    print(f"\n{Path(model).name}, batch 1 (same inputs, same run):")
    for k, v in lat.items():
        print(f"  {k:<28} p50 {v['p50_ms']:7.3f} ms  p99 {v['p99_ms']:7.3f} ms")
    print(f"  TensorRT fp16 p99 {lat['tensorrt_fp16']['p99_ms']:.3f} ms (target <= 1 ms)")


def test_shipped_student_energy_per_inference():
    """Joules per inference and inferences per second per watt of the deployed student on ONNX
    Runtime CPU (and on TensorRT where there is one), from this machine's energy meter."""
    from genba_common.power import open_energy_meter
    from genba_policy.runtime import OnnxPolicy

    model, manifest = _deployed_student()
    meter = open_energy_meter()
    obs = report.latency_inputs()
    print(f"\nenergy meter: {meter.source}" + (f" ({meter.reason})" if hasattr(meter, "reason") else ""))
    for backend in ("cpu", "tensorrt"):
        try:
            policy = OnnxPolicy(model, manifest, backend, log=lambda s: None)
        except Exception as exc:  # no TensorRT here: said, not hidden
            print(f"  {backend:<9} not measured: {str(exc).splitlines()[0]}")
            continue
        if policy.backend != backend:
            print(f"  {backend:<9} not measured: runs on {policy.backend}")
            continue
        for _ in range(50):
            policy.infer(obs)  # warm-up
        result = meter.measure(lambda p=policy: p.infer(obs), 2000)
        print(f"  {backend:<9} {2000 / result.seconds:8.0f} inferences/s; {result.describe()}")
        assert result.n == 2000 and (result.joules is None) == (meter.source == "none")
