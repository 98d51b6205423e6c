"""Downloads: CSV tables equal the trace, the .npz equals the run, the JSON reopens the view,
PNG/SVG come out of the system Chromium (or ExportUnavailable says why), and every page
offers its buttons."""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest
import torch
from torch.nn.utils.rnn import pad_packed_sequence

from lstm_viz.core.tokens import PAD
from lstm_viz.i18n import catalog
from lstm_viz.io import exports, static_image
from lstm_viz.state.pipeline import run
from lstm_viz.state.query import from_query
from lstm_viz.state.settings import from_preset
from tests.apptest_utils import PAGES, open_app

HOSTILE = "=cmd|' /C calc'!A0 +1 -2 @SUM(A1) plain\nhi =x"


@pytest.fixture(scope="module", params=["official", "packing", "rnn-bidirectional", "stacked"])
def result(request):
    return run(from_preset(request.param))


def _read(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the UTF-8 tokens
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""],
                       dtype={"token": str})


def test_step_csv_equals_the_traces_step_values(result):
    tr, tokens = result.trace, result.batch.tokens
    back = _read(exports.tensor_csv(exports.steps_frame(tr, tokens)))
    assert tuple(back.columns) == exports.STEP_COLUMNS
    sizes = sum(v.numel() for k in range(tr.config.num_layers) for d in range(tr.config.D)
                for v in tr.step_values(k, d).values())
    assert len(back) == sizes
    for (k, d, name), rows in back.groupby(["layer", "direction", "name"]):
        ref = tr.step_values(k, d)[name].numpy()  # (N, L, size)
        n, t, u = (rows[c].to_numpy() for c in ("sentence", "t", "unit"))
        np.testing.assert_array_equal(rows["value"].to_numpy(np.float32), ref[n, t, u])
        words = [tokens[a][b] if b < len(tokens[a]) else PAD for a, b in zip(n, t, strict=True)]
        assert rows["token"].tolist() == words


def test_step_csv_keeps_only_the_selection(result):
    cfg, tr = result.trace.config, result.trace
    k, d, n = cfg.num_layers - 1, cfg.D - 1, tr.N - 1
    frame = exports.steps_frame(tr, result.batch.tokens, sentences=[n], layers=[k],
                                directions=[d], names=["h"])
    assert set(frame["sentence"]) == {n} and set(frame["layer"]) == {k}
    assert set(frame["direction"]) == {d} and set(frame["name"]) == {"h"}
    assert len(frame) == tr.L * cfg.H_out


def test_packed_csv_equals_packed_data(result):
    layout = result.layout
    back = _read(exports.tensor_csv(exports.packed_frame(layout)))
    assert tuple(back.columns) == exports.PACKED_COLUMNS
    R, H_in = layout.data.shape
    values = back["value"].to_numpy(np.float32).reshape(R, H_in)
    np.testing.assert_array_equal(values, layout.data.numpy())
    first = back[back["feature"] == 0]
    assert [tuple(r) for r in first[["row", "t", "slot", "sentence", "token"]].to_numpy()] == [
        (r.row, r.t, r.slot, r.sentence, r.token) for r in layout.rows]


def test_shapes_csv_lists_the_contract(result):
    back = _read(exports.tensor_csv(exports.shapes_frame(result.shapes)))
    assert back["name"].tolist() == [e.name for e in result.shapes]
    assert back["shape"].tolist() == [
        str(tuple(e.shape)) for e in result.shapes]  # "(80,)" as Python writes a tuple


def test_formula_injection_is_neutralised():
    s, _ = from_query({"preset": "pets", "sentences": HOSTILE})
    result = run(s)
    frame = exports.steps_frame(result.trace, result.batch.tokens)
    text = exports.tensor_csv(frame).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    tokens = {r["token"] for r in rows}
    for word in ("=cmd|'", "+1", "-2", "@SUM(A1)", "=x"):
        assert word in result.batch.tokens[0] + result.batch.tokens[1]
        assert "'" + word in tokens and word not in tokens
    assert "plain" in tokens and "hi" in tokens
    assert any(float(r["value"]) < 0 for r in rows)  # numbers are numbers, no apostrophe
    assert exports.neutralise("\tx") == "'\tx" and exports.neutralise(-1.5) == -1.5


def test_npz_round_trip_equals_the_run(result):
    tr, batch, cfg = result.trace, result.batch, result.trace.config
    z = np.load(io.BytesIO(exports.trace_npz(result)), allow_pickle=False)
    for k in range(cfg.num_layers):
        for d in range(cfg.D):
            for name, v in tr.step_values(k, d).items():
                np.testing.assert_array_equal(z[f"l{k}_d{d}_{name}"], v.numpy())
    out = tr.output
    if tr.packed:  # torch's own unpacking is the reference
        total = result.settings.spec.total_length or None
        out = pad_packed_sequence(out, batch_first=cfg.batch_first, total_length=total)[0]
    np.testing.assert_array_equal(z["output"], out.numpy())
    np.testing.assert_array_equal(z["h_n"], tr.h_n.numpy())
    assert ("c_n" in z.files) == (tr.c_n is not None)
    if tr.c_n is not None:
        np.testing.assert_array_equal(z["c_n"], tr.c_n.numpy())
    np.testing.assert_array_equal(z["input"], batch.padded.numpy())
    np.testing.assert_array_equal(z["lengths"], tr.lengths.numpy())
    assert z["tokens"][0, : len(batch.tokens[0])].tolist() == batch.tokens[0]
    assert bool(z["batch_first"]) == cfg.batch_first
    if batch.ids is not None:
        np.testing.assert_array_equal(z["token_ids"], batch.ids.numpy())
        assert z["vocab"].tolist() == batch.vocab
    if batch.hx is not None:
        h0 = batch.hx[0] if isinstance(batch.hx, tuple) else batch.hx
        assert torch.equal(torch.from_numpy(z["h_0"]), h0)


@pytest.mark.parametrize("query", [
    {"preset": "official"},
    {"preset": "packing", "hidden_size": "5", "bidirectional": "true", "lang": "zh"},
    {"preset": "pets", "sentences": "我 爱 狗\n= + - @", "hide": "seed", "lock": "1"},
])
def test_config_json_round_trips_through_from_query(query):
    settings, notices = from_query(query)
    assert not notices
    doc = json.loads(exports.config_json(settings))
    assert from_query(doc["query"])[0] == settings
    assert from_query(parse_qs(doc["url_query"][1:]))[0] == settings
    assert doc["settings"]["config"]["hidden_size"] == settings.config.hidden_size


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


needs_browser = pytest.mark.skipif(static_image.unavailable_reason() is not None,
                                   reason=str(static_image.unavailable_reason()))


@needs_browser
def test_png_and_svg_export_with_chinese_text():
    from lstm_viz.figures import frozen, state_norms, unrolled_grid

    result = run(from_preset("pets"))
    fig = unrolled_grid(state_norms(result.trace, 0), result.batch.tokens[0], num_layers=1,
                        D=1, title="展开的网络 ‖h_t‖", x_title="时间步", y_title="层",
                        row_label="第 {layer} 层 {arrow}", selected=(0, 0, 0))
    png = exports.figure_image(fig, "png")
    assert _png_size(png) == (static_image.WIDTH * static_image.SCALE,
                              fig.layout.height * static_image.SCALE)
    assert exports.figure_image(fig.to_dict(), "png") == png  # cached by the figure's JSON
    assert exports.figure_image(frozen(fig.to_dict()), "png") == png  # as pages hold it
    svg = exports.figure_image(fig, "svg").decode("utf-8")
    assert "<svg" in svg and "展开的网络" in svg


@pytest.mark.parametrize("var", ["BROWSER_PATH", "LSTM_VIZ_CHROMIUM"])
def test_no_browser_raises_export_unavailable(monkeypatch, var):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv(var, "/nowhere/chromium")
    with pytest.raises(exports.ExportUnavailable, match=r"No Chromium found at /nowhere/chromium"
                       rf" \({var}\); install Debian's chromium"):
        exports.figure_image({"data": [], "layout": {}}, "png")
    assert "/nowhere/chromium" in exports.unavailable_reason()
    with pytest.raises(ValueError, match="expected one of png, svg"):
        exports.figure_image({"data": []}, "gif")


@pytest.mark.skipif(shutil.which("false") is None, reason="no false(1) here")
def test_a_browser_that_does_not_start_is_reported_and_not_retried_at_once(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", shutil.which("false"))  # exists, but is no browser
    with pytest.raises(exports.ExportUnavailable, match="could not be started"):
        exports.figure_image({"data": [], "layout": {}}, "png")
    assert "could not be started" in exports.unavailable_reason()


# ---- the pages ----------------------------------------------------------------------------

CSV_BUTTONS = {"overview": 1, "gates": 1, "states": 2, "packing": 1, "shapes": 1}


def _buttons(at) -> list[str]:
    return [el.proto.label for el in at.get("download_button")]


@pytest.fixture(scope="module", params=PAGES)
def page(request):
    return request.param, open_app({"preset": "packing", "lang": "zh"}, request.param)


def test_every_page_offers_its_downloads(page):
    name, at = page
    assert not at.exception and not at.error
    labels = _buttons(at)
    figures = len(at.get("plotly_chart"))
    assert labels.count("PNG") == labels.count("SVG") == figures
    assert labels.count("CSV") == CSV_BUTTONS[name]
    zh = catalog("zh")
    if name in ("overview", "shapes"):
        assert zh["exports.npz"] in labels and zh["exports.json"] in labels
    texts = [el.value for kind in ("caption", "markdown") for el in at.get(kind)]
    assert not [x for x in texts if x.startswith("exports.")]


def test_without_a_browser_a_caption_replaces_the_image_buttons(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nowhere/chromium")
    at = open_app({"preset": "official"}, "states")
    assert not at.exception and not at.error
    labels = _buttons(at)
    assert "PNG" not in labels and "SVG" not in labels and labels.count("CSV") == 2
    captions = [el.value for el in at.caption]
    assert any("nowhere" in c and "chromium" in c for c in captions)
