"""The proxy config compose ships, on Debian's nginx in front of a stand-in API: compose's health
check of the proxy passes while an upstream answers /healthz and fails once none does, and
/metrics is not served through the proxy (Prometheus scrapes each replica)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx

from tests.support.processes import HOST, free_port
from tests.support.proxy import NginxProxy, requires_nginx

pytestmark = requires_nginx


async def _answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    await writer.drain()
    writer.close()


async def test_the_compose_healthcheck_follows_the_upstream(tmp_path: Path) -> None:
    port = free_port()
    upstream = await asyncio.start_server(_answer_ok, HOST, port)
    try:
        async with NginxProxy(tmp_path, [port]) as proxy:  # ready: the healthcheck passed
            async with httpx.AsyncClient(base_url=proxy.base_url, trust_env=False) as http:
                assert (await http.get("/healthz")).status_code == 200
                assert (await http.get("/metrics")).status_code == 404
            upstream.close()
            await upstream.wait_closed()
            done = await asyncio.to_thread(subprocess.run, proxy.healthcheck(),
                                           capture_output=True, timeout=10, check=False)
            assert done.returncode == 1  # nginx answers 502: the proxy is not healthy
    finally:
        upstream.close()
