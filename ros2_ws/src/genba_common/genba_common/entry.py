"""The entry point of every genba node."""

from __future__ import annotations

import gc
import sys

from genba_common.errors import ConfigError


def freeze_startup_heap() -> None:
    """Move everything allocated so far (modules, models, the node) out of the garbage collector's
    reach: a collection then walks only what the running node allocates since (the jitter benchmark,
    tests/benchmarks/test_bench_jitter.py, measures the pauses with and without)."""
    gc.collect()
    gc.freeze()


def run_node(node_cls: type, args: list[str] | None = None) -> None:
    """Init, spin until Ctrl-C or shutdown, exit without a traceback.

    A node that raises :class:`ConfigError` (bad configuration) prints one line and exits 2; the
    process supervisor decides whether to restart it.
    """
    import rclpy
    from rclpy.executors import ExternalShutdownException

    rclpy.init(args=args)
    node = None
    code = 0
    try:
        node = node_cls()
        freeze_startup_heap()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except ConfigError as exc:
        print(f"[{node_cls.__name__}] error: {exc}", file=sys.stderr, flush=True)
        code = 2
    finally:
        if node is not None:
            close = getattr(node, "close", None)
            if close:
                close()
            node.destroy_node()
        if rclpy.ok():
            rclpy.shutdown()
    sys.exit(code)
