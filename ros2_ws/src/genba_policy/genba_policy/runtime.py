"""On-robot inference of the exported student: governance check, backend chain, output guards.

Backends, tried in this order for ``backend: auto``: TensorRT (through ONNX Runtime's TensorRT
execution provider, fp16, engine cached under a key of ONNX hash + TensorRT version + GPU name and
compute capability + precision + input shapes, built in a staging folder and renamed into place so
a half-written engine never sits under a key; a changed key means a rebuild), ONNX Runtime CUDA, ONNX Runtime CPU. A backend
counts as running only if the session reports its provider first (``get_providers()``); otherwise
the next one is tried, and the one that runs is logged.

Only approved models drive the motors: the file's SHA-256 must be listed in ``models/manifest.yaml``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genba_policy.observation import INPUT_NAMES, OBS_VERSION

BACKENDS = ("tensorrt", "cuda", "cpu")
PROVIDER = {"tensorrt": "TensorrtExecutionProvider", "cuda": "CUDAExecutionProvider", "cpu": "CPUExecutionProvider"}
V_LIMIT, W_LIMIT = 1.0, 2.0  # anything beyond is a broken output, not a command


class ModelRejected(Exception):
    """The model may not drive: one line saying why (unknown hash, missing file, bad manifest)."""


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_manifest(model_path: str | Path, manifest_path: str | Path) -> dict:
    """The manifest entry approving this exact file; raises ModelRejected otherwise."""
    from genba_perception.yaml_file import read_yaml_mapping

    if not Path(model_path).is_file():
        raise ModelRejected(f"model file {model_path} not found")
    data = read_yaml_mapping(manifest_path, "model manifest", ModelRejected)
    entries = data.get("models")
    if not isinstance(entries, list):
        raise ModelRejected(f"{manifest_path}: field 'models': expected a list of {{file, sha256}}")
    digest = sha256_file(model_path)
    for e in entries:
        if isinstance(e, dict) and e.get("sha256") == digest:
            return e
    raise ModelRejected(f"model {model_path} (sha256 {digest[:16]}...) is not approved in {manifest_path}; "
                        f"refusing to drive with it")


@dataclass(frozen=True)
class EngineKey:
    onnx_sha256: str
    trt_version: str
    gpu_name: str
    compute_capability: str
    precision: str
    shapes: str

    def folder(self, cache_root: str | Path) -> Path:
        """A folder per key: any change (new model, TensorRT upgrade, other GPU) means a new engine."""
        digest = hashlib.sha256(json.dumps(self.__dict__, sort_keys=True).encode()).hexdigest()[:24]
        return Path(cache_root) / f"trt-{digest}"


def engine_build_dir(folder: Path) -> tuple[Path, Path | None]:
    """(folder TensorRT should use, staging folder to publish once the engine is built, or None).

    A finished engine folder is used as is. Otherwise the engine is built in a private staging
    folder and moved into place in one rename (``publish_engine_dir``), so a crash or a second
    process never leaves a half-written engine under the key."""
    if folder.is_dir() and any(folder.iterdir()):
        return folder, None
    staging = folder.parent / f".{folder.name}.building-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    return staging, staging


def publish_engine_dir(staging: Path, folder: Path) -> bool:
    """Atomically move a freshly built engine folder into place; False if another process won."""
    import shutil

    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    try:
        os.rename(staging, folder)  # atomic on POSIX; fails if the key folder exists by now
        return True
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return False


def gpu_identity() -> tuple[str, str, str]:
    """(TensorRT version, GPU name, compute capability) of device 0; raises ImportError without TensorRT."""
    import tensorrt

    name, cc = "unknown", "unknown"
    try:
        import ctypes

        cuda = ctypes.CDLL("libcudart.so")
        dev = ctypes.c_int(0)
        major, minor = ctypes.c_int(), ctypes.c_int()
        cuda.cudaDeviceGetAttribute(ctypes.byref(major), 75, dev)  # cudaDevAttrComputeCapabilityMajor
        cuda.cudaDeviceGetAttribute(ctypes.byref(minor), 76, dev)
        cc = f"{major.value}.{minor.value}"
        prop = ctypes.create_string_buffer(1024)
        cuda.cudaGetDeviceProperties(prop, dev)
        name = prop.raw[:256].split(b"\0", 1)[0].decode(errors="replace")
    except OSError:
        pass
    return tensorrt.__version__, name, cc


class OnnxPolicy:
    """Loads an approved ONNX student and runs it on the best available backend."""

    def __init__(self, model_path: str, manifest_path: str, backend: str = "auto",
                 engine_cache_dir: str = "~/.cache/genba/trt", threads: int = 1, log=print) -> None:
        import onnxruntime as ort

        self.entry = check_manifest(model_path, manifest_path)
        self.model_path, self.log = str(model_path), log
        wanted = BACKENDS if backend == "auto" else (backend,)
        if any(b not in BACKENDS for b in wanted):
            raise ModelRejected(f"unknown backend '{backend}' (use auto, {', '.join(BACKENDS)})")
        available = ort.get_available_providers()
        self.attempts: list[str] = []
        self.session = None
        self._engine: tuple[Path, Path] | None = None  # (staging, final) while a new engine is built
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        for b in wanted:
            if PROVIDER[b] not in available:
                self.attempts.append(f"{b}: {PROVIDER[b]} not in this onnxruntime build")
                continue
            try:
                providers = [self._provider_config(b, engine_cache_dir, self.entry["sha256"])]
                if b != "cpu":
                    providers.append("CPUExecutionProvider")  # for nodes the GPU provider cannot run
                sess = ort.InferenceSession(self.model_path, so, providers=providers)
            except Exception as exc:  # a GPU stack that fails to initialise must not stop the robot
                self.attempts.append(f"{b}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
                self._discard_staging()
                continue
            if sess.get_providers()[0] != PROVIDER[b]:
                self.attempts.append(f"{b}: session fell back to {sess.get_providers()[0]}")
                self._discard_staging()
                continue
            self.session, self.backend = sess, b
            break
        if self.session is None:
            raise ModelRejected("no inference backend could run the model: " + "; ".join(self.attempts))
        names = tuple(i.name for i in self.session.get_inputs())
        version = self.session.get_modelmeta().custom_metadata_map.get("obs_version", "?")
        if set(names) != set(INPUT_NAMES) or version != str(OBS_VERSION):
            raise ModelRejected(f"model {Path(self.model_path).name} was built for observation version {version} "
                                f"(inputs {', '.join(names)}); this genba_policy builds version {OBS_VERSION} "
                                f"({', '.join(INPUT_NAMES)})")
        for a in self.attempts:
            log(f"backend not used: {a}")
        log(f"policy model {Path(self.model_path).name} runs on {self.backend} "
            f"({self.session.get_providers()[0]})")
        self.latencies_ms: list[float] = []
        self.warm_up()  # TensorRT builds its engine on the first run
        if self._engine and self.backend == "tensorrt":
            staging, final = self._engine
            published = publish_engine_dir(staging, final)
            log(f"TensorRT engine {'cached in' if published else 'already cached by another process in'} {final}")

    def _discard_staging(self) -> None:
        import shutil

        if self._engine:
            shutil.rmtree(self._engine[0], ignore_errors=True)
            self._engine = None

    def _provider_config(self, backend: str, cache_dir: str, onnx_sha256: str):
        if backend != "tensorrt":
            return PROVIDER[backend]
        trt_version, gpu, cc = gpu_identity()
        folder = EngineKey(onnx_sha256, trt_version, gpu, cc, "fp16", "batch1").folder(os.path.expanduser(cache_dir))
        use, staging = engine_build_dir(folder)
        self._engine = (staging, folder) if staging else None
        return (PROVIDER["tensorrt"], {"trt_fp16_enable": True, "trt_engine_cache_enable": True,
                                       "trt_engine_cache_path": str(use)})

    def warm_up(self, n: int = 5) -> None:
        zeros = {i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32)
                 for i in self.session.get_inputs()}
        for _ in range(n):
            self.session.run(None, zeros)

    def infer(self, obs: dict[str, np.ndarray]) -> tuple[float, float, float, float, bool]:
        """(v, w, ood_score, latency_ms, valid). Invalid outputs (NaN, inf, out of range) give zero
        motion with valid=False, which the safety supervisor treats as a policy fault."""
        feeds = {k: obs[k] for k in INPUT_NAMES}
        t0 = time.perf_counter()
        cmd, ood = self.session.run(None, feeds)
        ms = (time.perf_counter() - t0) * 1e3
        self.latencies_ms.append(ms)
        if len(self.latencies_ms) > 2000:
            del self.latencies_ms[:1000]
        v, w, o = float(cmd[0, 0]), float(cmd[0, 1]), float(ood[0, 0])
        valid = all(math.isfinite(x) for x in (v, w, o)) and abs(v) <= V_LIMIT and abs(w) <= W_LIMIT \
            and 0.0 <= o <= 1.0
        if not valid:
            return 0.0, 0.0, 1.0, ms, False
        return v, w, o, ms, True
