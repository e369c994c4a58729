"""The link probe against real local servers: TCP open / refused / silent, HTTP 200 / 503."""

import http.server
import socket
import threading
import time

import pytest

from genba_bringup.link_probe import Endpoint, LinkProbe, parse_endpoint
from genba_common.errors import ConfigError


@pytest.mark.parametrize(
    "url, want",
    [
        ("tcp://10.0.0.5:8883", Endpoint("tcp", "10.0.0.5", 8883, "/")),
        ("http://fleet.local/health?robot=7", Endpoint("http", "fleet.local", 80, "/health?robot=7")),
        ("https://fleet.example.com", Endpoint("https", "fleet.example.com", 443, "/")),
    ],
)
def test_endpoints_parse(url, want):
    assert parse_endpoint(url) == want


@pytest.mark.parametrize(
    "url, needle",
    [
        ("fleet.local:443", "scheme must be one of"),
        ("tcp://fleet.local", "needs a port"),
        ("tcp://:80", "no host"),
        ("http://host:99999", "out of range"),
        ("ftp://host:21", "scheme must be one of"),
    ],
)
def test_bad_endpoints_are_one_line_errors(url, needle):
    with pytest.raises(ConfigError, match=needle) as e:
        parse_endpoint(url)
    assert "\n" not in str(e.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tcp_up_while_the_port_accepts_and_down_when_refused():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    probe = LinkProbe(Endpoint("tcp", "127.0.0.1", port), 0.5)
    r = probe.probe()
    assert r.up and r.detail == "" and r.ms < 500
    server.close()
    r = probe.probe()
    assert not r.up and "ConnectionRefused" in r.detail


def test_a_silent_http_server_is_a_lost_link_within_the_timeout():
    server = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    probe = LinkProbe(Endpoint("http", "127.0.0.1", server.getsockname()[1]), 0.2)
    t0 = time.monotonic()
    r = probe.probe()
    assert not r.up and "timed out" in r.detail and time.monotonic() - t0 < 1.0
    server.close()


@pytest.fixture
def http_server():
    status = {"code": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], status
    srv.shutdown()
    srv.server_close()


def test_http_up_below_400_and_down_at_503(http_server):
    port, status = http_server
    probe = LinkProbe(parse_endpoint(f"http://127.0.0.1:{port}/health"), 0.5)
    assert probe.probe().up
    status["code"] = 503
    r = probe.probe()
    assert not r.up and r.detail == "HTTP 503"
