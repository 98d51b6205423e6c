"""Teacher settings (``LSTM_VIZ_*``): checked at start by ``scripts/serve.py``, applied by the app.

The server tests start the real ``scripts/serve.py`` on a free port in 8700–8719.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import fields
from pathlib import Path

import pytest

from lstm_viz.core.caps import Caps
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.query import from_query
from lstm_viz.state.settings import HIDEABLE
from lstm_viz.state.teacher_env import (
    KNOWN,
    USED_ELSEWHERE,
    TeacherEnv,
    TeacherEnvError,
    read,
    url_defaults,
)
from tests.apptest_utils import open_app

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "scripts" / "serve.py"

GOOD = {"LSTM_VIZ_PRESET": "pets", "LSTM_VIZ_LANG": "zh", "LSTM_VIZ_HIDE": "cell, preset",
        "LSTM_VIZ_LOCK": "true", "LSTM_VIZ_DEVICE": "cuda:1", "LSTM_VIZ_TORCH_THREADS": "2",
        "LSTM_VIZ_MAX_HIDDEN_SIZE": "64", "LSTM_VIZ_MAX_BATCH": " 8 ", "PATH": "/bin"}
BAD = {"LSTM_VIZ_PRESET": "../../etc/passwd", "LSTM_VIZ_LANG": "fr",
       "LSTM_VIZ_HIDE": "cell,nope", "LSTM_VIZ_LOCK": "maybe", "LSTM_VIZ_DEVICE": "tpu",
       "LSTM_VIZ_TORCH_THREADS": "0", "LSTM_VIZ_MAX_LAYERS": "-1", "LSTM_VIZ_MAX_SEED": "²",
       "LSTM_VIZ_MAX_HIDEN_SIZE": "64"}


def test_good_settings_are_read():
    env = read(GOOD)
    assert env == TeacherEnv(caps=Caps(max_hidden_size=64, max_batch=8), preset="pets",
                             lang="zh", hide=("cell", "preset"), lock=True, device="cuda:1",
                             torch_threads=2)


def test_nothing_set_is_the_apps_defaults():
    assert read({"PATH": "/bin", "STREAMLIT_SERVER_PORT": "8501"}) == TeacherEnv()
    # empty text settings (compose passing an unset variable) mean "not set"
    empty = {f"LSTM_VIZ_{k}": "" for k in ("PRESET", "LANG", "HIDE", "LOCK", "DEVICE")}
    assert read(empty) == TeacherEnv()


def test_every_problem_is_reported_at_once():
    with pytest.raises(TeacherEnvError) as caught:
        read(BAD)
    assert sorted(p.name for p in caught.value.problems) == sorted(BAD)
    message = str(caught.value)
    for name, value in BAD.items():
        assert f"{name}={value!r}" in message
    assert "did you mean LSTM_VIZ_MAX_HIDDEN_SIZE?" in message
    assert "en, zh" in message and "nope" in message


@pytest.mark.parametrize("raw", ["", "abc", "0", "1.5", "١٢", "99999999999"])
def test_caps_follow_the_apps_own_rule(raw):
    """``read`` refuses exactly what ``Caps.from_env`` (the app's reader) refuses."""
    for f in fields(Caps):
        name = f"LSTM_VIZ_{f.name.upper()}"
        with pytest.raises(ValueError):
            Caps.from_env({name: raw})
        with pytest.raises(TeacherEnvError, match=name):
            read({name: raw})


def test_variables_used_elsewhere_are_allowed_and_really_used():
    assert read({name: "x" for name in USED_ELSEWHERE}) == TeacherEnv()
    text = "\n".join(p.read_text(errors="replace") for p in _repo_files()
                     if p.name != "teacher_env.py")
    for name in USED_ELSEWHERE:
        assert name in text, f"{name} is allowed but nothing in the repository uses it"


def _repo_files():
    for sub in ("app.py", "app_pages", "ui", "lstm_viz", "scripts", "serving", "measure", "deploy",
                "tests", "Dockerfile", ".ci"):
        path = ROOT / sub
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        yield from (f for f in files if f.is_file() and "__pycache__" not in f.parts)


def test_every_variable_the_code_reads_is_known():
    """A new ``LSTM_VIZ_*`` knob in the code must be added to teacher_env (else refused)."""
    found = set()
    for path in _repo_files():
        if path.parts[len(ROOT.parts)] != "tests":  # tests use deliberately unknown names
            text = path.read_text("utf-8", "replace")
            found |= set(re.findall(r"LSTM_VIZ_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])", text))
    found.discard("LSTM_VIZ_MAX_HIDEN_SIZE")  # the typo teacher_env's docstring warns about
    assert {"LSTM_VIZ_CHROMIUM", "LSTM_VIZ_TORCH_THREADS"} <= found  # the scan sees the code
    assert found - set(KNOWN) == set()


def test_defaults_reach_the_app_settings():
    env = read(GOOD)
    params = url_defaults({}, GOOD)
    assert params == env.query_defaults()
    settings, notices = from_query(params, env.caps)
    assert notices == []
    assert (settings.preset, settings.lang, settings.hide, settings.lock, settings.device) == (
        "pets", "zh", ("cell", "preset"), True, "cuda:1")
    assert settings.config == PRESETS["pets"].config


def test_the_url_wins_unless_the_deployment_is_locked():
    unlocked = {"LSTM_VIZ_PRESET": "pets", "LSTM_VIZ_LANG": "zh"}
    url = {"preset": ["stacked"], "lang": ["en"], "lock": ["0"], "hidden_size": ["7"]}
    assert url_defaults(dict(url), unlocked) == url
    locked = {**unlocked, "LSTM_VIZ_LOCK": "1", "LSTM_VIZ_HIDE": "preset"}
    got = url_defaults(dict(url), locked)
    assert got == {"preset": ["pets"], "lang": ["en"], "lock": ["1"], "hide": ["preset"]}
    settings, _ = from_query(got)
    assert settings.preset == "pets" and settings.lock and settings.config == PRESETS[
        "pets"].config


def test_bad_values_reach_the_app_as_notices_not_errors():
    params = url_defaults({}, BAD)  # never raises: the app repairs and says so
    settings, notices = from_query(params)
    assert settings.preset in PRESETS and set(settings.hide) <= set(HIDEABLE)
    assert {n.arg for n in notices} >= {"preset", "lang", "hide", "lock", "device"}


def test_a_locked_deployment_shows_its_preset(monkeypatch):
    for name in [n for n in os.environ if n.startswith("LSTM_VIZ_")]:
        monkeypatch.delenv(name)
    for name, value in {"LSTM_VIZ_PRESET": "stacked", "LSTM_VIZ_LOCK": "1",
                        "LSTM_VIZ_HIDE": "seed"}.items():
        monkeypatch.setenv(name, value)
    at = open_app({"preset": "pets", "lock": "0", "hidden_size": "7", "seed": "5"})
    assert not at.exception
    s = at.session_state["settings"]
    assert (s.preset, s.lock, s.hide) == ("stacked", True, ("seed",))
    assert s.config == PRESETS["stacked"].config and s.spec == PRESETS["stacked"].spec
    preset_box = at.selectbox(key="w_preset")
    assert preset_box.value == "stacked" and preset_box.disabled


# --- scripts/serve.py: refuses a bad environment, serves a good one ----------------------------

def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSTM_VIZ_")}
    return {**env, **extra}


def _free_port() -> int:
    for port in range(8700, 8720):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8700-8719")


def test_serve_refuses_bad_settings_before_streamlit_starts():
    port = _free_port()
    proc = subprocess.run(
        [sys.executable, str(SERVE), "--server.port", str(port)], capture_output=True,
        text=True, timeout=60, env=_clean_env(LSTM_VIZ_LANG="fr", LSTM_VIZ_MAX_HIDEN_SIZE="9"))
    assert proc.returncode == 2
    assert "LSTM_VIZ_LANG='fr'" in proc.stderr and "LSTM_VIZ_MAX_HIDEN_SIZE='9'" in proc.stderr
    assert "Traceback" not in proc.stderr and "Streamlit" not in proc.stdout + proc.stderr
    with socket.socket() as s:  # nothing listens: the port is still free
        s.bind(("127.0.0.1", port))


def test_serve_starts_the_app_with_good_settings():
    port = _free_port()
    env = _clean_env(LSTM_VIZ_PRESET="pets", LSTM_VIZ_LOCK="1", LSTM_VIZ_MAX_BATCH="4")
    proc = subprocess.Popen(
        [sys.executable, str(SERVE), "--server.port", str(port), "--server.address",
         "127.0.0.1"], cwd="/", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        body = _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        assert body == "ok"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "preset=pets, lock=1, max_batch=4" in output


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_deploy_docs_list_every_setting_with_its_default():
    """docs/DEPLOY.md's one table: a row per variable; the caps' defaults as in Caps."""
    table = re.findall(r"^\| `(LSTM_VIZ_\w+)` \|[^|]*\|([^|]*)\|([^|]*)\|",
                       (ROOT / "docs" / "DEPLOY.md").read_text(), re.M)
    rows = {name: default.strip().strip("`") for name, default, _ in table}
    allowed = {name: set(re.findall(r"`([^`]+)`", values)) for name, _, values in table}
    assert allowed["LSTM_VIZ_PRESET"] == set(PRESETS)
    assert allowed["LSTM_VIZ_HIDE"] == set(HIDEABLE)
    teacher = [n for n in KNOWN if n not in USED_ELSEWHERE]
    assert sorted(rows) == sorted(teacher)
    for f in fields(Caps):
        assert rows[f"LSTM_VIZ_{f.name.upper()}"] == str(f.default)
    assert rows["LSTM_VIZ_TORCH_THREADS"] == str(TeacherEnv().torch_threads)
