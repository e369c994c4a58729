"""Where an ONNX model runs, decided in one place: the policy's student and perception's face detector.

| backend | module | runs |
|---|---|---|
| ``tensorrt`` | ``tensorrt.py`` | ONNX Runtime's TensorRT execution provider, fp16, engine cached per key |
| ``cuda`` | ``onnxruntime.py`` | ONNX Runtime on CUDA |
| ``cpu`` | ``onnxruntime.py`` | ONNX Runtime on the CPU |

:func:`open_session` runs a model on the first backend of :func:`chain` whose session really runs
on its provider (``get_providers()[0]``; a GPU stack that fails to start is skipped, never fatal),
and logs every backend it skipped, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genba_common.errors import ModelRejected

CHAIN = ("tensorrt", "cuda", "cpu")  # tried in this order for "auto"
ONNX_BACKENDS = ("auto", *CHAIN)
DEFAULT_ENGINE_CACHE = "~/.cache/genba/trt"


class Backend:
    """An ONNX Runtime execution provider a model can run on."""

    name = ""
    provider = ""

    def providers(self) -> list:
        """ONNX Runtime's ``providers`` argument for this backend."""
        return (
            [self.provider]
            if self.provider == "CPUExecutionProvider"
            else [self.provider, "CPUExecutionProvider"]
        )

    def discard(self) -> None:
        """The session could not start or fell back to another provider: undo what ``providers`` set up."""

    def ready(self, log: Callable[[str], None]) -> None:
        """The session ran its warm-up."""


def chain(requested: str) -> tuple[str, ...]:
    """The backends to try, in order, for ``requested`` (``auto`` or one of :data:`CHAIN`)."""
    if requested == "auto":
        return CHAIN
    if requested not in CHAIN:
        raise ModelRejected(f"unknown backend '{requested}' (use {', '.join(ONNX_BACKENDS)})")
    return (requested,)


def make_backend(name: str, onnx_sha256: str, engine_cache_dir: str, shapes: str = "batch1") -> Backend:
    if name == "tensorrt":
        from genba_common.inference.tensorrt import TensorRt

        return TensorRt(onnx_sha256, engine_cache_dir, shapes)
    from genba_common.inference.onnxruntime import Cpu, Cuda

    return Cuda() if name == "cuda" else Cpu()


@dataclass
class Session:
    """An ONNX Runtime session on the backend that runs it, and why the others did not."""

    backend: Backend
    session: Any
    attempts: list[str]


def open_session(
    model: str | bytes,
    onnx_sha256: str,
    requested: str = "auto",
    engine_cache_dir: str = DEFAULT_ENGINE_CACHE,
    threads: int = 1,
    log: Callable[[str], None] = print,
    shapes: str = "batch1",
) -> Session:
    """The first backend of ``chain(requested)`` that runs ``model`` (a path, or the model's bytes);
    raises ModelRejected if none does. ``shapes`` names the input shapes in TensorRT's engine key."""
    import onnxruntime as ort

    names = chain(requested)
    available = ort.get_available_providers()
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    attempts: list[str] = []
    for name in names:
        try:
            backend = make_backend(name, onnx_sha256, engine_cache_dir, shapes)
        except ImportError as exc:
            attempts.append(f"{name}: {exc}")
            continue
        if backend.provider not in available:
            attempts.append(f"{name}: {backend.provider} not in this onnxruntime build")
            continue
        try:
            sess = ort.InferenceSession(model, so, providers=backend.providers())
        except Exception as exc:  # a GPU stack that fails to initialise must not stop the robot
            attempts.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            backend.discard()
            continue
        if sess.get_providers()[0] != backend.provider:
            attempts.append(f"{name}: session fell back to {sess.get_providers()[0]}")
            backend.discard()
            continue
        for a in attempts:
            log(f"backend not used: {a}")
        return Session(backend, sess, attempts)
    raise ModelRejected("no inference backend could run the model: " + "; ".join(attempts))
