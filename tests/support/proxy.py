"""Debian's nginx running the proxy config that docker-compose.yml ships (deploy/proxy/api.conf),
with only its upstream servers and its listen address replaced by the test's. It counts as up
when the compose file's own health check of the proxy passes against it.

    async with NginxProxy(tmp_path, [api_1.port, api_2.port]) as proxy:
        httpx.get(f"{proxy.base_url}/healthz")
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path
from types import TracebackType

import pytest
import yaml

from tests.support.processes import HOST, ChildProcess, child_env, free_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy/proxy/api.conf"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
requires_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx not found (apt-get install nginx-light; .ci/run installs it)")


def local_config(upstreams: list[int], port: int) -> str:
    """The shipped file with `server api:PORT ...;` made one line per local API (same
    parameters) and `listen PORT;` made the test's address."""
    text = SHIPPED.read_text(encoding="utf-8")
    server = re.compile(r"^(\s*)server api:\d+( [^;]*)?;$", flags=re.MULTILINE)
    match = server.search(text)
    assert match is not None, "deploy/proxy/api.conf no longer names `server api:PORT`"
    indent, params = match.group(1), match.group(2) or ""
    lines = "\n".join(f"{indent}server {HOST}:{p}{params};" for p in upstreams)
    text = server.sub(lambda _: lines, text, count=1)
    text, listens = re.subn(r"^(\s*)listen \d+;$", rf"\1listen {HOST}:{port};", text,
                            flags=re.MULTILINE)
    assert listens == 1
    return text


class NginxProxy:
    def __init__(self, directory: Path, upstreams: list[int]) -> None:
        assert NGINX is not None
        self.port = free_port()
        root = directory / "nginx"
        root.mkdir(parents=True, exist_ok=True)
        (root / "api.conf").write_text(local_config(upstreams, self.port), encoding="utf-8")
        # What the nginx image's own nginx.conf provides around conf.d/*.conf.
        (root / "nginx.conf").write_text(f"""
daemon off;
user root;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/api.conf;
}}
""", encoding="utf-8")
        self.child = ChildProcess("nginx", [NGINX, "-p", str(root), "-c", str(root / "nginx.conf")],
                                  env=child_env(), log_dir=directory)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def healthcheck(self) -> list[str]:
        """docker-compose.yml's health check of `proxy`, aimed at this nginx."""
        compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
        kind, *argv = compose["services"]["proxy"]["healthcheck"]["test"]
        assert kind == "CMD"
        return [arg.replace("$$", "$").replace("127.0.0.1:8080", f"{HOST}:{self.port}")
                for arg in argv]

    async def _serving(self) -> bool:
        done = await asyncio.to_thread(subprocess.run, self.healthcheck(), capture_output=True,
                                       timeout=10, check=False)
        return done.returncode == 0

    async def __aenter__(self) -> NginxProxy:
        self.child.spawn()
        await self.child.wait_ready(self._serving, what="proxying /healthz")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.child.close()
