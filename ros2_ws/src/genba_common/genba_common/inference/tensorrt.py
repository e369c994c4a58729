"""TensorRT through ONNX Runtime's TensorRT execution provider, fp16.

The engine is cached under a key of ONNX hash + TensorRT version + GPU name and compute capability
+ precision + input shapes: a changed key means a rebuild. It is built in a staging folder and
renamed into place, so a half-written engine never sits under a key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genba_common.inference import Backend


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


class TensorRt(Backend):
    name = "tensorrt"
    provider = "TensorrtExecutionProvider"

    def __init__(self, onnx_sha256: str, cache_dir: str, shapes: str = "batch1") -> None:
        self.onnx_sha256, self.cache_dir, self.shapes = onnx_sha256, cache_dir, shapes
        self.final: Path | None = None
        self.staging: Path | None = None

    def providers(self) -> list:
        trt_version, gpu, cc = gpu_identity()
        key = EngineKey(self.onnx_sha256, trt_version, gpu, cc, "fp16", self.shapes)
        self.final = key.folder(os.path.expanduser(self.cache_dir))
        use, self.staging = engine_build_dir(self.final)
        return [(self.provider, {"trt_fp16_enable": True, "trt_engine_cache_enable": True,
                                 "trt_engine_cache_path": str(use)}), "CPUExecutionProvider"]

    def discard(self) -> None:
        if self.staging:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def ready(self, log: Callable[[str], None]) -> None:
        """TensorRT built its engine on the warm-up run: publish it under its key."""
        if self.staging and self.final:
            published = publish_engine_dir(self.staging, self.final)
            log(f"TensorRT engine {'cached in' if published else 'already cached by another process in'} "
                f"{self.final}")
            self.staging = None
