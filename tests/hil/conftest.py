"""HIL fixtures: the device under test is the emulator on a pty, or a real controller via --port."""

import time

import pytest
import serial

from genba_actuation.emulator import PtyController


@pytest.fixture
def device(request):
    """Yields (port path, emulator or None). A real device must speak protocol v1."""
    port = request.config.getoption("--port")
    emulator = None
    if port is None:
        emulator = PtyController().start()
        port = emulator.port
    yield port, emulator
    if emulator is not None:
        emulator.close()


@pytest.fixture
def link(device):
    port, _ = device
    s = serial.Serial(port, 115200, timeout=0)
    time.sleep(0.02)
    s.reset_input_buffer()
    yield s
    s.close()
