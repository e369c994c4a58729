"""ONNX Runtime's own execution providers: CUDA, and the CPU every build has."""

from __future__ import annotations

from genba_common.inference import Backend


class Cuda(Backend):
    name = "cuda"
    provider = "CUDAExecutionProvider"


class Cpu(Backend):
    name = "cpu"
    provider = "CPUExecutionProvider"
