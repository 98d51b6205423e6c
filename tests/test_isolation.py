"""Sessions never see each other: threads sharing the cached module, and two real browsers.

``st.cache_resource`` hands every session the SAME module object (ui/run.py). Nothing may
change it: ``trace`` and the claims switch it to eval() and back, which is harmless only
because the cached module is built in eval mode and nothing ever calls train(True); the
tests below trace one module from several threads at once and compare with a serial run.

The browser tests start ``streamlit run app.py`` on a free loopback port and drive two
Chromium contexts (two sessions, separate cookies) against it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import torch

from lstm_viz.build import build_module, seeded_module
from lstm_viz.claims import check_claims
from lstm_viz.config import RNNConfig
from lstm_viz.i18n import t
from lstm_viz.inputs import make_batch
from lstm_viz.settings import from_query
from lstm_viz.trace import trace

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _threads(target, args_list) -> list:
    """Run ``target(*args)`` for each args in parallel threads; results in order."""
    results: list = [None] * len(args_list)
    errors: list = []

    def work(k, args):
        try:
            results[k] = target(*args)
        except BaseException as err:  # re-raised below, in the test thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k, a)) for k, a in enumerate(args_list)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _summary(tr) -> list[torch.Tensor]:
    values = [v for (k, d) in sorted(tr.values) for _, v in sorted(tr.values[(k, d)].items())]
    return [tr.h_n, *(v.nan_to_num() for v in values)]


def test_threads_tracing_one_shared_module_get_serial_results():
    """Eight traces of one module (as eight sessions sharing the cache) in four threads."""
    config = RNNConfig("LSTM", 12, 48, 2, bidirectional=True)
    module = build_module(config, seed=3).module
    params = {k: v.clone() for k, v in module.state_dict().items()}
    batches = []
    for k in range(8):
        s, _ = from_query({"preset": "official", "mode": "randn", "input_size": "12",
                           "hidden_size": "48", "num_layers": "2", "bidirectional": "1",
                           "seed": str(3 + k), "batch": str(2 + k % 3), "seq_len": str(5 + k),
                           "h0": "randn"})
        batches.append(make_batch(s.spec, config))
    serial = [_summary(trace(module, b.input, b.hx)) for b in batches]

    def traced(batch):
        out = []
        for _ in range(3):  # interleave with the other threads a few times
            tr = trace(module, batch.input, batch.hx)
            check_claims(module, tr, batch.padded, batch.lengths, batch.hx,
                         tuple(batch.padded.shape))
            out.append(_summary(tr))
        return out

    parallel = _threads(traced, [(b,) for b in batches])
    for want, got in zip(serial, parallel, strict=True):
        for run in got:
            assert all(torch.equal(a, b) for a, b in zip(want, run, strict=True))
    assert module.training is False
    assert all(torch.equal(params[k], v) for k, v in module.state_dict().items())


def test_concurrent_builds_get_the_weights_of_their_own_seed():
    """Seeding torch's global RNG is locked (lstm_viz.rng); without the lock 28/60 were wrong."""
    config = RNNConfig("LSTM", 32, 64, 2)
    expected = {seed: seeded_module(config, seed).state_dict() for seed in (1, 2, 3, 4)}

    def build(seed):
        wrong = 0
        for _ in range(10):
            got = seeded_module(config, seed).state_dict()
            wrong += any(not torch.equal(got[k], expected[seed][k]) for k in got)
        return wrong

    assert sum(_threads(build, [(s,) for s in expected])) == 0


def test_concurrent_random_batches_come_from_their_own_seed():
    settings = {k: from_query({"preset": "official", "mode": "randn", "seed": str(k),
                               "batch": "16", "seq_len": "64", "input_size": "256",
                               "h0": "randn"})[0] for k in (1, 2, 3)}
    expected = {k: make_batch(s.spec, s.config).padded for k, s in settings.items()}

    def draw(k):
        return sum(not torch.equal(make_batch(settings[k].spec, settings[k].config).padded,
                                   expected[k]) for _ in range(40))

    assert sum(_threads(draw, [(k,) for k in settings])) == 0


# --- two real sessions against a real server --------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    port = _free_port()
    log = (ROOT / ".pytest_cache")
    log.mkdir(exist_ok=True)
    out = open(log / "isolation-server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the Streamlit server did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        out.close()


@pytest.fixture(scope="module")
def browser(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _settle(page) -> None:
    page.wait_for_selector("[data-testid=stMain] h1", timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=60_000)


def _module_call(page) -> str:
    """The overview's summary names the module: ``nn.RNN(9, 5)``."""
    return page.locator("[data-testid=stMain] code", has_text="nn.").first.inner_text()


def _session(browser, url: str):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page, errors


@pytest.mark.browser
def test_two_sessions_never_see_each_others_settings(server, browser):
    a_ctx, a, a_err = _session(browser, f"{server}/?preset=pets&hidden_size=3")
    b_ctx, b, b_err = _session(browser, f"{server}/?preset=official&cell=GRU&seed=4")
    try:
        _settle(a)
        _settle(b)
        assert _module_call(a) == "nn.RNN(9, 3)"
        b_call = _module_call(b)
        assert b_call.startswith("nn.GRU(")
        # A changes its hidden size while B, at the same time, changes its seed
        field_a = a.get_by_role("spinbutton", name="hidden_size (H_cell)")
        field_a.fill("7")
        field_a.press("Enter")
        b.get_by_text(t("sidebar.run", "en")).click()  # the collapsed expander with the seed
        field_b = b.get_by_role("spinbutton", name="seed", exact=True)
        field_b.fill("9")
        field_b.press("Enter")
        _settle(a)
        _settle(b)
        a.wait_for_function("() => location.search.includes('hidden_size=7')", timeout=30_000)
        b.wait_for_function("() => location.search.includes('seed=9')", timeout=30_000)
        assert _module_call(a) == "nn.RNN(9, 7)"
        assert _module_call(b) == b_call  # B's module: unchanged by A
        assert "hidden_size" not in b.evaluate("location.search")
        assert "seed" not in a.evaluate("location.search")
        assert b.get_by_role("spinbutton", name="hidden_size (H_cell)").input_value() != "7"
        assert not a.get_by_test_id("stException").count()
        assert not b.get_by_test_id("stException").count()
        assert not a_err and not b_err
    finally:
        a_ctx.close()
        b_ctx.close()


@pytest.mark.browser
def test_hostile_text_renders_as_plain_text_in_a_browser(server, browser):
    """Markdown, HTML, LaTeX and Streamlit directives in a sentence show as typed."""
    from urllib.parse import urlencode

    from playwright.sync_api import expect

    token = "<b>x</b>"
    text = f"{token} **y** $z$ :red[r] www.example.com\n👩\u200d👩\u200d👧 e\u0301"
    ctx, page, errors = _session(browser, f"{server}/?" + urlencode(
        {"preset": "pets", "tokens": "word", "sentences": text}))
    try:
        _settle(page)
        main = page.locator("[data-testid=stMain]")
        selected = main.locator("[data-testid=stMarkdown]", has_text="Selected").first
        assert token in selected.inner_text()
        assert not main.locator("b:text-is('x')").count()  # no <b> element was made
        assert not main.locator(".katex:has-text('z')").count()
        area = page.get_by_role("textbox", name=t("arg.sentences", "en"))
        expect(area).to_have_value(text, timeout=30_000)
        assert not page.get_by_test_id("stException").count() and not errors
    finally:
        ctx.close()
