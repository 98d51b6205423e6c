"""serving/warm.py: the warm-up that serve.py starts once the server answers its health check."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS
from serving import warm
from serving.appserver import streamlit_server


@pytest.mark.parametrize(("args", "env", "url"), [
    ([], {}, "http://127.0.0.1:8501"),
    (["--server.port", "8600", "--server.address", "0.0.0.0"], {}, "http://127.0.0.1:8600"),
    (["--server.port=9000"], {"STREAMLIT_SERVER_ADDRESS": "10.0.0.5"}, "http://10.0.0.5:9000"),
    ([], {"STREAMLIT_SERVER_PORT": "7000", "STREAMLIT_SERVER_BASE_URL_PATH": "/lv/"},
     "http://127.0.0.1:7000"),
    (["--server.baseUrlPath", "/lv/"], {}, "http://127.0.0.1:8501/lv"),
])
def test_server_url_is_where_streamlit_will_answer(args, env, url):
    assert warm.server_url(args, env) == url


def test_the_deployments_preset_first_and_only_it_when_locked():
    assert warm.presets({}) == [DEFAULT_PRESET, *(p for p in PRESETS if p != DEFAULT_PRESET)]
    assert warm.presets({"LSTM_VIZ_PRESET": "pets"})[0] == "pets"
    assert sorted(warm.presets({"LSTM_VIZ_PRESET": "pets"})) == sorted(PRESETS)
    assert warm.presets({"LSTM_VIZ_PRESET": "pets", "LSTM_VIZ_LOCK": "1"}) == ["pets"]


def test_turned_off_starts_nothing():
    assert warm.start([], {"LSTM_VIZ_WARM": "0"}) is None


def test_warm_visits_every_page_of_a_preset_on_a_real_server():
    # On a thread of its own, as serve.py runs it (a session's Playwright keeps an event loop
    # running on the main thread once the browser tests have run).
    with streamlit_server() as url, ThreadPoolExecutor(1) as pool:
        runs, seconds, errors = pool.submit(warm.warm, url, ["official", "packing"]).result()
    assert (runs, errors) == (2 * len(warm.PAGES) + len(warm.ONCE) + len(warm.LINKS), [])
    assert seconds > 0


def test_the_warm_up_visits_every_page_of_the_app():
    app = (Path(__file__).resolve().parents[1] / "app.py").read_text()
    paths = re.findall(r'^    \("\w+", "(\w*)", ":material', app, re.M)
    assert len(paths) >= 7 and sorted(warm.PAGES + warm.ONCE) == sorted(paths)
