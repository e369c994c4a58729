"""Is the robot's link up? A probe of a real endpoint, so that "cloud lost" means something on hardware.

An endpoint is ``tcp://host:port`` (the link is up while a TCP connection opens within the timeout:
the fleet server's port, a VPN peer) or ``http[s]://host[:port]/path`` (up while the URL answers
below 400 within the timeout: a health URL). :class:`LinkProbe` answers one probe; the
``link_monitor`` node publishes ``/cloud/heartbeat`` after each success, so the safety supervisor's
``cloud_timeout_ms`` watchdog sees the link exactly as the probe does.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from genba_common.errors import ConfigError

SCHEMES = {"tcp": None, "http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    path: str = "/"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}" + (self.path if self.scheme != "tcp" else "")


def parse_endpoint(url: str) -> Endpoint:
    """``tcp://host:port`` or ``http[s]://host[:port][/path]``; a ConfigError names what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"link endpoint '{url}': {exc}") from None
    if parts.scheme not in SCHEMES:
        raise ConfigError(
            f"link endpoint '{url}': scheme must be one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if not parts.hostname:
        raise ConfigError(f"link endpoint '{url}': no host")
    port = port or SCHEMES[parts.scheme]
    if port is None:
        raise ConfigError(f"link endpoint '{url}': tcp:// needs a port (tcp://host:port)")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Endpoint(parts.scheme, parts.hostname, port, path)


@dataclass(frozen=True)
class ProbeResult:
    up: bool
    detail: str  # "" when up, else what failed
    ms: float


class LinkProbe:
    """One probe of an endpoint, bounded by ``timeout_s`` (name lookup, connect and answer together)."""

    def __init__(self, endpoint: Endpoint, timeout_s: float) -> None:
        self.endpoint, self.timeout_s = endpoint, timeout_s

    def probe(self) -> ProbeResult:
        e, t0 = self.endpoint, time.monotonic()
        try:
            if e.scheme == "tcp":
                with socket.create_connection((e.host, e.port), timeout=self.timeout_s):
                    pass
            else:
                cls = http.client.HTTPSConnection if e.scheme == "https" else http.client.HTTPConnection
                kwargs = {"context": ssl.create_default_context()} if e.scheme == "https" else {}
                conn = cls(e.host, e.port, timeout=self.timeout_s, **kwargs)
                try:
                    conn.request("GET", e.path, headers={"User-Agent": "genba-link-monitor"})
                    status = conn.getresponse().status
                finally:
                    conn.close()
                if status >= 400:
                    return ProbeResult(False, f"HTTP {status}", (time.monotonic() - t0) * 1e3)
        except (OSError, http.client.HTTPException) as exc:  # refused, unreachable, timed out, bad answer
            return ProbeResult(False, f"{type(exc).__name__}: {exc}".strip(), (time.monotonic() - t0) * 1e3)
        return ProbeResult(True, "", (time.monotonic() - t0) * 1e3)
