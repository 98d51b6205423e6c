"""Two lstm-viz replicas behind HAProxy on loopback ports, with deploy/haproxy/haproxy.cfg.

The topology of deploy/compose.yaml without a container engine: two ``streamlit run``
processes sharing one ``server.cookieSecret`` and Debian's ``haproxy`` with the same
configuration file. HAProxy logs one line per request (backend/server, cookie status, user
agent, request line) to a file; :meth:`Topology.requests` reads it back.

    python measure/two_replicas.py      # start it, print the URLs, wait for Ctrl-C
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from serving.appserver import ROOT, free_ports, stop, streamlit_server, wait_healthy

CFG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian's; /usr/sbin may not be on PATH
# 127.0.0.1:54321 [25/Nov/2026:15:55:00.123] lstm_viz streamlit/app1 0/0/0/1/1 200 1234 --NI
#   {Mozilla/5.0 …} "GET /_stcore/stream HTTP/1.1"   (the log-format of haproxy.cfg)
LINE = re.compile(r"^\S+ \[[^\]]+\] \S+ (?P<backend>[^/\s]+)/(?P<server>\S+) \S+ "
                  r"(?P<status>-?\d+) \S+ (?P<state>\S{4}) \{(?P<agent>[^}]*)\} "
                  r"\"(?P<method>\S+) (?P<path>\S+)")


class Request(NamedTuple):
    server: str  # the replica HAProxy chose ("app1"), "<NOSRV>" when none
    status: int
    cookie: str  # the stickiness cookie's two letters of the termination state: NI, VN, DI…
    agent: str
    path: str


@dataclass
class Topology:
    url: str  # the balancer: what students open
    replicas: dict  # "app1" → the replica's own URL
    pids: dict  # "app1" → its server process
    log: Path  # HAProxy's output

    def requests(self) -> list[Request]:
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            if m := LINE.match(line):
                out.append(Request(m["server"], int(m["status"]), m["state"][2:], m["agent"],
                                   m["path"]))
        return out

    def kill(self, name: str) -> None:
        """Kill a replica the hard way (SIGKILL), as a crash or a lost node would."""
        os.kill(self.pids[name], signal.SIGKILL)  # its Popen reaps it when the topology stops


def child_pid(port: int) -> int:
    """This process's child that runs ``streamlit run … --server.port port``."""
    for proc in Path("/proc").iterdir():
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"--server.port" in argv and \
                argv[argv.index(b"--server.port") + 1] == str(port).encode():
            return int(proc.name)
    raise RuntimeError(f"no child process serves port {port}")


@contextmanager
def haproxy(log: Path, port: int, apps: dict) -> Iterator[str]:
    """Run ``haproxy -db -f haproxy.cfg`` in front of ``apps`` (name → port); yield its URL."""
    env = {**os.environ, "LSTM_VIZ_LB_ADDR": "127.0.0.1", "LSTM_VIZ_LB_PORT": str(port),
           **{f"LSTM_VIZ_{name.upper()}": f"127.0.0.1:{p}" for name, p in apps.items()}}
    with open(log, "w") as out:
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(CFG)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, timeout=30)
            yield url
        finally:
            stop(proc, timeout=10)


@contextmanager
def two_replicas(workdir: Path) -> Iterator[Topology]:
    """Start app1, app2 (one shared cookie secret) and HAProxy; stop them all at the end."""
    lb_port, *ports = free_ports(3)
    apps = dict(zip(("app1", "app2"), ports, strict=True))
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    with ExitStack() as stack:
        replicas = {name: stack.enter_context(streamlit_server(
            port=port, env=env, log=workdir / f"{name}.log")) for name, port in apps.items()}
        pids = {name: child_pid(port) for name, port in apps.items()}
        log = workdir / "haproxy.log"
        url = stack.enter_context(haproxy(log, lb_port, apps))
        yield Topology(url, replicas, pids, log)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp, two_replicas(Path(tmp)) as topo:
        print(f"balancer {topo.url}; replicas {topo.replicas}; logs in {tmp}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
