"""Smoke-test the built image itself (run by ``scripts/image.sh``; docs/DEPLOY.md).

    python scripts/lib/image_smoke.py --engine buildah --image lstm-viz:test [--with-chromium 1]

Everything runs *inside the image*, with its entrypoint, healthcheck and user read from the
image's own config, on the host's network (``buildah run`` shares it; ``docker run`` is
given ``--network host``): the entrypoint as the image's user on a free loopback port, the
HEALTHCHECK's command (its port replaced by that one), the host's Chromium loading a page
from it, a class opened on /teach and read back inside the image from the SQLite file of its
/data volume, a short training on /train run to its end in the app's worker processes, a PNG
export with the image's own Chromium, a bad teacher setting, SIGTERM.
Each check prints one line; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.lib.image_class import DATA, class_check, data_volume
from scripts.lib.image_train import LINK, train_check
from serving.appserver import ROOT, free_ports, opened_page, wait_healthy

# The Shapes page's tensor table, a canvas grid: its rows are read from the grid's DOM twin.
PAGE, EXPECT = "/shapes?preset=official", ["output", "(5, 3, 20)"]
HAS_ROW = """(want) => [...document.querySelectorAll('[data-testid=stDataFrame] tr')].some(
  r => want.every((text, i) => r.cells[i] && r.cells[i].textContent === text))"""
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BAD_VAR = "LSTM_VIZ_MAX_HIDDEN_SIZE"
# A figure exported with the image's own Chromium, as the app's download buttons do.
EXPORT = """import sys
from {module} import ExportUnavailable, figure_image
try:
    data = figure_image({{"data": [{{"type": "bar", "y": [1, 3, 2]}}]}}, "png")
except ExportUnavailable as err:
    print("unavailable:", err)
else:
    sys.stdout.write("png " + data[:8].hex() + " " + str(len(data)))
"""
VERSIONS = """import os, sys, pip, torch
print(f"uid {os.getuid()}, HOME {os.environ.get('HOME')}, Python {sys.version.split()[0]},",
      f"pip {pip.__version__}, torch {torch.__version__} (CUDA {torch.version.cuda})")
"""


class Engine:
    """Run commands in the image: ``buildah run`` in one working container, or ``docker run``."""

    def __init__(self, name: str, image: str):
        self.name, self.image, self.container = name, image, None
        if name == "buildah":
            out = _run(["buildah", "inspect", "--type", "image", image]).stdout
            self.config = json.loads(out)["Docker"]["config"]
            self.container = _run(["buildah", "from", "-q", "--pull-never", image]).stdout.strip()
        else:
            out = _run(["docker", "image", "inspect", image]).stdout
            self.config = json.loads(out)[0]["Config"]

    def command(self, argv: list[str], env: dict[str, str] | None = None,
                entrypoint: bool = False, name: str = "", volume: str | None = None
                ) -> list[str]:
        """The host command that runs ``argv`` (after the image's ENTRYPOINT when
        ``entrypoint``) in the image, as the image's USER, with ``env`` added and the volume
        ``volume`` mounted as the image's /data."""
        flags = [f for k, v in (env or {}).items() for f in ("--env", f"{k}={v}")]
        flags += ["--volume", f"{volume}:{DATA}"] if volume else []
        if self.name == "buildah":
            head = self.config["Entrypoint"] if entrypoint else []
            return ["buildah", "run", *flags, self.container, "--", *head, *argv]
        flags += ["--name", name] if name else []
        ep = [] if entrypoint else ["--entrypoint", argv[0]]
        return ["docker", "run", "--rm", "--network", "host", *flags, *ep, self.image,
                *(argv if entrypoint else argv[1:])]

    def run(self, argv: list[str], timeout: float = 120, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(argv, **kw), capture_output=True, text=True,
                              timeout=timeout)

    def server_uids(self, proc: subprocess.Popen) -> set[int] | None:
        """The uids the entrypoint's processes run as (None: not seen from here, docker)."""
        if self.name == "docker":
            return None
        tini = _tini(proc.pid)
        return {int(Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])
                for pid in (tini, *_descendants(tini))}

    def terminate(self, proc: subprocess.Popen) -> None:
        """SIGTERM to the entrypoint's first process (tini), as a runtime's stop sends it."""
        if proc.poll() is not None:
            return
        if self.name == "docker":
            _run(["docker", "kill", "--signal", "TERM", _docker_id(proc)])
        else:
            os.kill(_tini(proc.pid), signal.SIGTERM)

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the entrypoint's processes and the command that started them."""
        if self.name == "docker":
            subprocess.run(["docker", "kill", _docker_id(proc)], capture_output=True)
        for pid in _descendants(proc.pid) if self.name == "buildah" else ():
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait()

    def close(self) -> None:
        if self.container:
            subprocess.run(["buildah", "rm", self.container], capture_output=True)


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(f"{' '.join(argv)}: exit {out.returncode}: {out.stderr.strip()}")
    return out


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (any of its threads may have started one: Go's do)."""
    try:
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except FileNotFoundError:  # it has just exited
        return []
    return [d for c in children for d in (c, *_descendants(c))]


def _tini(pid: int) -> int:
    """The tini under a ``buildah run`` (buildah → its chroot helpers → tini → python)."""
    for child in _descendants(pid):
        if Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0].endswith(b"tini"):
            return child
    raise RuntimeError(f"no tini process under {pid}")


def _docker_id(proc: subprocess.Popen) -> str:
    return proc.args[proc.args.index("--name") + 1]  # set by main()


def _health_cmd(config: dict, port: int) -> list[str]:
    """The HEALTHCHECK's CMD, aimed at ``port`` instead of the exposed one."""
    test = config["Healthcheck"]["Test"]
    assert test[0] == "CMD", f"expected an exec-form HEALTHCHECK, got {test}"
    (exposed,) = (p.split("/")[0] for p in config["ExposedPorts"])
    joined = json.dumps(test[1:])
    assert f":{exposed}/" in joined, f"the HEALTHCHECK does not ask port {exposed}: {test}"
    return json.loads(joined.replace(f":{exposed}/", f":{port}/"))


def _browser_check(url: str) -> str:
    """Load PAGE in the host's Chromium; raise unless it shows the EXPECT row, drawn."""
    with opened_page(url + PAGE) as page:
        page.wait_for_function(HAS_ROW, arg=EXPECT, timeout=30_000)
        errors = page.get_by_test_id("stException").count()
        assert errors == 0, f"{errors} exception(s) on the page"
        return f"row {' '.join(EXPECT)!r} shown, no exception"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", choices=("buildah", "docker"), required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--with-chromium", choices=("0", "1"), default="1")
    ap.add_argument("--logs", type=Path, default=ROOT / "test-artifacts" / "image")
    args = ap.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []

    def check(name: str, ok: bool, detail: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if not ok:
            failed.append(name)

    engine = Engine(args.engine, args.image)
    try:
        user = engine.config.get("User", "")
        check("non-root user", user.split(":")[0] not in ("", "0", "root"), f"USER {user!r}")
        out = engine.run(["python", "-c", VERSIONS])
        check("torch CPU build as the image's user", out.returncode == 0 and "+cpu" in out.stdout
              and "CUDA None" in out.stdout, (out.stdout + out.stderr).strip()[-300:])

        bad = engine.run([], env={BAD_VAR: "banana"}, entrypoint=True)
        named = [line.strip() for line in bad.stderr.splitlines() if BAD_VAR in line]
        check("bad teacher setting stops the entrypoint", bad.returncode == 2
              and f"{BAD_VAR}='banana'" in bad.stderr, f"exit {bad.returncode}, {named}")

        module = next((ROOT / "lstm_viz").rglob("static_image.py")).relative_to(ROOT)
        out = engine.run(["python", "-c", EXPORT.format(
            module=".".join(module.with_suffix("").parts))], timeout=180)
        text = (out.stdout + out.stderr).strip()
        if args.with_chromium == "1":
            check("PNG export with the image's Chromium", out.returncode == 0
                  and text.startswith("png " + PNG_MAGIC.hex()), text[-300:])
        else:
            check("PNG export says unavailable (WITH_CHROMIUM=0)", out.returncode == 0
                  and text.startswith("unavailable:"), text[-300:])

        port, closed = free_ports(2)
        url = f"http://127.0.0.1:{port}"
        log = (args.logs / "server.log").open("w")
        argv = ["--server.port", str(port), "--server.address", "127.0.0.1"]
        volume = data_volume(engine.name, port)
        cmd = engine.command(argv, entrypoint=True, name=f"lstm-viz-smoke-{port}",
                             volume=volume)
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                took = wait_healthy(url, server, timeout=60)
                check("entrypoint serves /_stcore/health", True, f"after {took:.1f} s on {url}")
                uids = engine.server_uids(server)
                check("entrypoint runs as the image's user", uids is None
                      or uids == {int(user.split(":")[0])}, f"uids {uids or 'not seen (docker)'}")
            except RuntimeError as err:
                check("entrypoint serves /_stcore/health", False, str(err))
                took = None
            for aim, want in ((port, 0), (closed, 1)) if took is not None else ():
                out = engine.run(_health_cmd(engine.config, aim), timeout=30)
                check(f"HEALTHCHECK command, port {aim} ({'served' if want == 0 else 'closed'})",
                      (out.returncode == 0) == (want == 0), f"exit {out.returncode}")
            try:
                check("host Chromium draws " + PAGE, took is not None,
                      _browser_check(url) if took is not None else "not served")
            except Exception as err:  # any failure is this check's
                check("host Chromium draws " + PAGE, False, repr(err)[:300])
            check("a class opened on /teach is stored in the /data volume",
                  *(class_check(url, engine, volume) if took is not None
                    else (False, "not served")))
            check(f"a training started on {LINK} finishes in the worker processes",
                  *(train_check(url) if took is not None else (False, "not served")))
        finally:
            start = time.monotonic()
            try:
                engine.terminate(server)
                code = server.wait(timeout=30)
                check("SIGTERM stops it", code == 0, f"exit {code}, "
                      f"{time.monotonic() - start:.1f} s after SIGTERM")
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                check("SIGTERM stops it", False, str(err))
                engine.kill(server)
            log.close()
        server_log = (args.logs / "server.log").read_text()
        check("no traceback in the server log", "Traceback" not in server_log,
              f"{args.logs / 'server.log'}, {len(server_log.splitlines())} lines")
    finally:
        engine.close()
    print(f"image-smoke: {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
