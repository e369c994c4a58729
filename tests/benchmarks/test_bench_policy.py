"""Policy inference benchmark (issue #5): batch-1 latency of torch eager vs ONNX Runtime CPU with
1 and 2 threads, measured in the same run. Targets: ORT CPU p99 <= 5 ms and >= 3x faster than
torch eager. Run: ./genba test tests/benchmarks/test_bench_policy.py --run-benchmarks -s
"""

import torch

from genba_policy.training import report
from genba_policy.training.export import approve, export_onnx
from genba_policy.training.student import Student


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
        print(f"  speed-up over torch eager ({k}): {eager / lat[k]['p50_ms']:.1f}x at p50 (target >= 3x)")
    assert set(lat) == {"torch_eager_1thread", "onnxruntime_cpu_1thread", "onnxruntime_cpu_2thread"}
