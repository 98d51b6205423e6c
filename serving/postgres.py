"""A real PostgreSQL server in a temporary folder, for the tests and measure/ (the class store's
shared backend): Debian's ``postgresql`` binaries, ``initdb`` + ``pg_ctl`` on a free loopback
port, trust authentication, no fsync (a throw-away server, never a deployment's).

PostgreSQL refuses to run as root, and CI runs as root: there the server runs as the
``postgres`` user Debian's package creates (``runuser -u postgres --``; ``nobody`` where
that user is missing), in a folder that user owns. Not pytest-postgresql: it runs
``pg_ctl`` as the current user and has no option to change it (its issues #341, #455).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from serving.appserver import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"


def bin_dir() -> Path | None:
    """The newest PostgreSQL's binaries (Debian's layout), else ``pg_ctl`` on PATH; None."""
    found = sorted(Path("/").glob(BIN_GLOB.lstrip("/")),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if found and (found[-1] / "pg_ctl").exists():
        return found[-1]
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _user() -> str | None:
    """The unprivileged user to run the server as when we are root (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no postgres or nobody user")


class Postgres:
    """One server: ``start()``, ``stop()``, ``url(database)``, ``create_database(name)``."""

    def __init__(self, root: Path, binaries: Path):
        self.root, self.bin, self.user = root, binaries, _user()
        self.data, self.port = root / "data", free_port()
        if self.user:
            shutil.chown(root, self.user)
            os.chmod(root, 0o700)

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120,
                              cwd=self.root)

    def start(self) -> Postgres:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--no-sync", "--locale=C")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        done = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                         str(self.root / "server.log"), "-w", "-t", "60", "start", check=False)
        if done.returncode:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}\n{log}")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                  "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"')
        return self.url(name)
