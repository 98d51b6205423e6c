"""The "reproduce in PyTorch" script: run it in a fresh Python and compare with the app's run.

Every generated script must print the shapes of the page's shape contract AND the same
numbers (sums of input, h_0/c_0, output, h_n, c_n and every parameter) as the app's own
trace: that proves it rebuilds the same module and the same input batch.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import RNNConfig, constructor_call
from lstm_viz.core.inputs import InputSpec
from lstm_viz.core.tokens import split_sentences, tokenise_batch
from lstm_viz.explain.claims import batch_major_output
from lstm_viz.io.snippet import FILE_NAME, reproduce_snippet
from lstm_viz.state.pipeline import build, run
from lstm_viz.state.presets import PRESETS
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import Settings, from_preset

LINE = re.compile(r"^(\S+)\s+(\([\d, ]*\))\s+sum=([+-]\d+\.\d+)$")
HOSTILE = ('say "hi" \\ now \\n\n"""  \x00 🙂 end\n\'\'\' it\'s {x} %s <pad>\n'
           "x\u2028y\n\u200b 'single' \"double\" \\\\\n")


def _valid(settings: Settings) -> Settings:
    return make_valid(settings, Caps(), [])


def _custom(config: RNNConfig, **spec) -> Settings:
    return _valid(Settings(preset="official", config=config, spec=InputSpec(**spec)))


def _raw_text_case() -> Settings:
    """Hostile text kept as is (make_valid would strip the NUL): input_size = V by hand."""
    spec = InputSpec(mode="sentences", sentences=HOSTILE, tokens="word", h0="rand", seed=7)
    vocab = tokenise_batch(split_sentences(HOSTILE), "word").vocab_size
    config = RNNConfig("LSTM", vocab, 3, 2, dropout=0.15000000000000002)
    return Settings(preset="pets", config=config, spec=spec)


CASES = {f"preset-{name}": from_preset(name) for name in PRESETS}
CASES.update({
    "char-chinese-embedding-packed": _custom(
        RNNConfig("LSTM", 3, 4, bidirectional=True), mode="sentences", tokens="char",
        sentences="我爱狗\n你好吗?“引号”\n猫", encoding="embedding", embedding_dim=3, packed=True,
        h0="randn", seed=3),
    "word-embedding": _custom(RNNConfig("GRU", 5, 4, 2), mode="sentences",
                              sentences="a b c\nd e", encoding="embedding", embedding_dim=5),
    "packed-unsorted-batch-first-total": _custom(
        RNNConfig("LSTM", 1, 3, batch_first=True), mode="sentences", sentences="x\nx y z\nx y",
        packed=True, total_length=5, h0="rand"),
    "bidirectional-proj": _custom(RNNConfig("LSTM", 4, 5, 2, bidirectional=True, proj_size=3),
                                  mode="randn", seq_len=3, batch=2, h0="randn", seed=11),
    "gru-batch-first": _custom(RNNConfig("GRU", 3, 4, 2, batch_first=True), mode="rand",
                               seq_len=4, batch=3, h0="rand"),
    "rnn-relu-bi": _custom(RNNConfig("RNN", 2, 3, 3, bidirectional=True, nonlinearity="relu",
                                     bias=False), mode="randn", seq_len=2, batch=4, h0="randn"),
    "hostile-text": _raw_text_case(),
})


def _expected(settings: Settings) -> dict[str, tuple[tuple[int, ...], float]]:
    """What the app computed: name → (shape, sum), from the pipeline's own run."""
    result = run(settings)
    batch, tr = result.batch, result.trace
    exp = {"input": (tuple(batch.padded.shape), batch.padded.double().sum().item())}
    states = batch.hx if isinstance(batch.hx, tuple) else (batch.hx,)
    for name, x in zip(("h_0", "c_0"), states, strict=False):
        if x is not None:
            exp[name] = (tuple(x.shape), x.double().sum().item())
    out = batch_major_output(tr)  # (N, L, D*H_out): same values as the padded output
    shape = (result.shapes[[e.name for e in result.shapes].index("output")]).shape
    exp["output"] = (shape, out.double().sum().item())
    exp["h_n"] = (tuple(tr.h_n.shape), tr.h_n.double().sum().item())
    if tr.c_n is not None:
        exp["c_n"] = (tuple(tr.c_n.shape), tr.c_n.double().sum().item())
    for name, p in build(settings).module.named_parameters():
        exp[name] = (tuple(p.shape), p.detach().double().sum().item())
    return exp


def _tuple(text: str) -> tuple[int, ...]:
    value = ast.literal_eval(text)
    return value if isinstance(value, tuple) else (value,)


RUNNER = """
import json, runpy, sys, io, contextlib
out = {}
for name, path in json.loads(sys.argv[1]).items():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(path, run_name="__main__")
    out[name] = buf.getvalue()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every case's script, each run in a fresh namespace of one fresh Python process."""
    folder = tmp_path_factory.mktemp("snippets")
    paths = {}
    for name, settings in CASES.items():
        path = folder / name / FILE_NAME
        path.parent.mkdir()
        path.write_text(reproduce_snippet(settings), encoding="utf-8")
        paths[name] = str(path)
    proc = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(paths)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", list(CASES))
def test_script_prints_the_shape_contract_and_the_apps_numbers(outputs, name):
    settings = CASES[name]
    printed = {k: (_tuple(shape), total) for k, (shape, total) in _parse_lines(outputs[name])}
    contract = {e.name: e.shape for e in run(settings).shapes}
    for tensor, shape in contract.items():
        if tensor in ("h_0", "c_0") and settings.spec.h0 == "zeros":
            assert tensor not in printed  # hx=None: nothing to print
            continue
        assert printed[tensor][0] == shape, tensor
    for tensor, (shape, total) in _expected(settings).items():
        assert printed[tensor][0] == shape, tensor
        assert abs(printed[tensor][1] - total) <= 1e-5, (tensor, printed[tensor][1], total)


def _parse_lines(stdout: str):
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            yield m[1], (m[2], float(m[3]))


def test_packed_scripts_print_packed_data_and_total_length(outputs):
    settings = CASES["packed-unsorted-batch-first-total"]
    printed = dict(_parse_lines(outputs["packed-unsorted-batch-first-total"]))
    lengths = run(settings).batch.lengths
    assert _tuple(printed["packed.data"][0]) == (int(lengths.sum()), settings.config.input_size)
    assert _tuple(printed["output"][0]) == (3, 5, 3)  # (N, total_length, H_out)


def test_hostile_text_stays_literal_and_runs(outputs):
    settings = CASES["hostile-text"]
    tree = ast.parse(reproduce_snippet(settings))
    assigned = {node.targets[0].id: node.value for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    assert ast.literal_eval(assigned["sentences"]) == split_sentences(HOSTILE)
    assert ast.literal_eval(assigned["vocab"]) == run(settings).batch.vocab
    assert "output" in dict(_parse_lines(outputs["hostile-text"]))


def test_every_script_compiles_and_imports_only_torch():
    for settings in CASES.values():
        tree = ast.parse(reproduce_snippet(settings, device="cuda:0"))
        modules = {alias.name.split(".")[0] for node in ast.walk(tree)
                   if isinstance(node, ast.Import) for alias in node.names}
        modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)}
        assert modules == {"torch"}


@pytest.mark.parametrize(("config", "call"), [
    (RNNConfig("LSTM", 10, 20, 2), "nn.LSTM(10, 20, num_layers=2)"),
    (RNNConfig("LSTM", 2, 3, batch_first=True), "nn.LSTM(2, 3, batch_first=True)"),
    (RNNConfig("LSTM", 3, 5, proj_size=2, bias=False), "nn.LSTM(3, 5, bias=False, proj_size=2)"),
    (RNNConfig("GRU", 3, 4, 2, bidirectional=True, dropout=0.25),
     "nn.GRU(3, 4, num_layers=2, dropout=0.25, bidirectional=True)"),
    (RNNConfig("RNN", 9, 5, nonlinearity="relu"), "nn.RNN(9, 5, nonlinearity='relu')"),
])
def test_constructor_call_names_only_non_default_arguments(config, call):
    assert constructor_call(config) == call
    module = eval(call, {"nn": torch.nn})  # the call builds the configured module
    assert type(module).__name__ == config.cell and module.hidden_size == config.hidden_size


def test_seed_changes_the_script():
    settings = from_preset("official")
    other = replace(settings, spec=replace(settings.spec, seed=5))
    assert "seed = 5" in reproduce_snippet(other)
    assert reproduce_snippet(other) != reproduce_snippet(settings)
