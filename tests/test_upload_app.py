"""Bring-your-own weights through the app (AppTest drives the real ``st.file_uploader``):
upload → safe read → choose the RNN → compare with the sidebar → run on those weights."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import numpy as np
import torch
from apptest_utils import open_app
from hostile_weights import pt_exec
from safetensors.torch import save as st_save
from torch import nn

from lstm_viz import trained
from lstm_viz.core.config import RNNConfig
from lstm_viz.figures import sentence_steps
from lstm_viz.state.pipeline import run

MIME = "application/octet-stream"


def uploaded(at, data: bytes, filename: str):
    at.file_uploader(key="weights_file").set_value((filename, data, MIME)).run()
    assert not at.exception
    return at


def chart_z(at, k: int) -> np.ndarray:
    z = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][k]["z"]
    if isinstance(z, dict):  # plotly's base64 typed array
        shape = tuple(int(s) for s in z["shape"].split(","))
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.array(z, dtype=np.float32)


def test_an_uploaded_lstm_runs_in_the_app_with_its_own_weights():
    torch.manual_seed(3)
    lstm = nn.LSTM(5, 7, num_layers=2, bidirectional=True)
    data = st_save({k: v.contiguous() for k, v in lstm.state_dict().items()})
    at = uploaded(open_app({"preset": "official"}), data, "my_lstm.safetensors")
    assert not at.error
    assert any("nn.LSTM(5, 7, num_layers=2, bidirectional=True)" in c.value.replace("\\", "")
               for c in at.caption)
    mismatch = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "weight_ih_l0: expected shape (80, 10), got (28, 5)" in mismatch  # sidebar vs file
    at.button(key="weights_use").click().run()
    assert not at.exception and not at.error
    s = at.session_state["settings"]
    assert s.weights == "upload:" + hashlib.sha256(data).hexdigest()
    assert s.config == RNNConfig("LSTM", 5, 7, 2, bidirectional=True)
    assert at.number_input(key="w_hidden_size").disabled  # fixed by the weights
    at.switch_page("app_pages/gates.py").run()
    assert not at.exception and not at.error and at.success  # the verified badge
    expected = run(s, upload=trained.Weights(s.weights, lstm.state_dict()))
    want = sentence_steps(expected.trace, 0, 0, 0)["i"]
    np.testing.assert_allclose(chart_z(at, 0), want, atol=1e-6)  # the chart = those weights


def test_several_rnns_in_one_file_the_user_chooses_one():
    model = nn.Module()
    model.enc, model.dec = nn.GRU(3, 4), nn.LSTM(4, 6)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    at = uploaded(open_app({"preset": "official"}), buf.getvalue(), "seq2seq.pt")
    assert set(at.selectbox(key="weights_prefix").options) == {"enc.", "dec."}
    at.selectbox(key="weights_prefix").select("enc.").run()
    assert any("nn.GRU(3, 4)" in c.value.replace("\\", "") for c in at.caption)
    at.button(key="weights_use").click().run()
    assert not at.exception and not at.error
    s = at.session_state["settings"]
    assert (s.config.cell, s.config.input_size, s.config.hidden_size) == ("GRU", 3, 4)


def test_hostile_files_are_refused_in_words(tmp_path):
    data, name = pt_exec(tmp_path)  # unpickling it would create a marker file
    at = uploaded(open_app({"preset": "official"}), data, name)
    assert at.error and "Refused without running it" in at.error[0].value.replace("\\", "")
    assert not (tmp_path / "pwned").exists()  # the payload's marker: nothing ran
    assert at.session_state["settings"].weights == "random"
    good = st_save({k: v.contiguous() for k, v in nn.RNN(2, 3).state_dict().items()})
    at = uploaded(at, good[:-7], "cut.safetensors")
    assert at.error and "truncated" in at.error[0].value.replace("\\", "")


def test_a_link_to_uploaded_weights_falls_back_with_a_notice():
    at = open_app({"preset": "trained-sentiment", "weights": "upload"})
    assert not at.exception and not at.error
    assert any("upload it again" in w.value.replace("\\", "") for w in at.warning)
    assert at.session_state["settings"].weights == "sentiment-lstm"
