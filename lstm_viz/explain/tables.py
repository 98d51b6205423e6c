"""Plain tables (pandas) and texts for the Overview and Shapes pages, built from a run.

No Streamlit here: every function takes engine data (``RNNConfig``, ``ShapeEntry``,
``Claim``) and a language, and returns DataFrames of plain strings, so user text shows
literally in ``st.dataframe``. Letters as in PyTorch: N, L, D, H_in, H_cell, H_out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from lstm_viz.core.config import RNNConfig, constructor_call
from lstm_viz.core.inputs import InputSpec
from lstm_viz.core.shapes import ShapeEntry, shape_contract, tensor_shapes
from lstm_viz.core.trace import TOLERANCE
from lstm_viz.explain.claims import Claim
from lstm_viz.i18n import t
from lstm_viz.trained import info as trained_info

CLAIM_SOURCES = {  # claim key → the articles (shared/seeds/NNN_*.txt) that state it
    "output_last_is_h_n": ("003", "002"),
    "backward_h_n_is_first_step": ("001",),
    "state_shapes_ignore_batch_first": ("004", "000"),
    "view_splits_directions": ("001",),
    "padding_changes_shorter": ("002",),
}
MARKS = {True: "✓", False: "✗", None: "–"}


def article_id(source: str) -> str:
    """``"003_bf33….txt"`` → ``"003"``: the article number used in catalog keys."""
    return source.split("_", 1)[0]


def source_caption(source: str, weights: str, lang: str) -> str:
    """Where a preset comes from: its article (``source``, the article's file name), and for
    a trained model (``weights``) the training run."""
    parts = []
    if source:
        article = t(f"claim.article.{article_id(source)}", lang)
        parts.append(t("overview.source", lang, article=article))
    if weights != "random":
        test = trained_info(weights)["accuracy"]["test"]
        parts.append(t("overview.source_trained", lang, model=weights,
                       accuracy=f"{100 * test:.1f}"))
    return " · ".join(parts)


def dims_text(values: Sequence) -> str:
    """A shape as Python writes a tuple: ``(5, 3, 10)``, ``(80,)``, ``(L, N, H_in)``."""
    inner = ", ".join(str(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def shape_text(entry: ShapeEntry) -> str:
    """``"(5, 3, 10) = (L, N, H_in)"``: the numbers and PyTorch's names for the axes."""
    return f"{dims_text(entry.shape)} = {dims_text(entry.dims)}"


# ---- Overview ------------------------------------------------------------------------

def summary(config: RNNConfig, spec: InputSpec, N: int, L: int, lang: str) -> str:
    """One sentence: ``nn.LSTM(10, 20, num_layers=2)`` reading 3 sentences of up to 5 tokens,
    D=1 (or a random batch of N sequences × L steps), and whether the batch is packed."""
    key = "overview.summary.sentences" if spec.mode == "sentences" else "overview.summary.random"
    text = t(key, lang, call=constructor_call(config), N=N, L=L, D=config.D, mode=spec.mode)
    if spec.packed:
        text += t("overview.summary.packed", lang, enforce_sorted=spec.enforce_sorted)
    return text


def _b(config: RNNConfig, name: str) -> str:
    return f" + b_{{{name}}}" if config.bias else ""


def _gate(config: RNNConfig, act: str, g: str) -> str:
    return (f"{g}_t &= {act}(W_{{i{g}}} x_t{_b(config, 'i' + g)} + W_{{h{g}}} h_{{t-1}}"
            f"{_b(config, 'h' + g)})")


def equations(config: RNNConfig) -> str:
    """The cell's equations in LaTeX, as PyTorch documents them (biases only if ``bias``)."""
    if config.cell == "LSTM":
        h = r"W_{hr}\,(o_t \odot \tanh(c_t))" if config.proj_size else r"o_t \odot \tanh(c_t)"
        lines = [_gate(config, r"\sigma", "i"), _gate(config, r"\sigma", "f"),
                 _gate(config, r"\tanh", "g"), _gate(config, r"\sigma", "o"),
                 r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t", f"h_t &= {h}"]
    elif config.cell == "GRU":
        lines = [_gate(config, r"\sigma", "r"), _gate(config, r"\sigma", "z"),
                 rf"n_t &= \tanh(W_{{in}} x_t{_b(config, 'in')} + r_t \odot (W_{{hn}} h_{{t-1}}"
                 rf"{_b(config, 'hn')}))",
                 r"h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}"]
    else:
        act = r"\tanh" if config.nonlinearity == "tanh" else r"\mathrm{ReLU}"
        lines = [f"h_t &= {act}(W_{{ih}} x_t{_b(config, 'ih')} + W_{{hh}} h_{{t-1}}"
                 f"{_b(config, 'hh')})"]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


# ---- Shapes page ---------------------------------------------------------------------

def constructor_table(config: RNNConfig, lang: str) -> pd.DataFrame:
    """argument | value | meaning, for the arguments this cell's constructor takes."""
    names = ["cell", *(k for k in config.kwargs())]
    values = {"cell": f"nn.{config.cell}", **config.kwargs()}
    rows = [(name, repr(values[name]) if name != "cell" else values[name],
             t(f"shapes.arg.{name}", lang)) for name in names]
    return pd.DataFrame(rows, columns=[t("shapes.col.argument", lang), t("shapes.col.value", lang),
                                       t("shapes.col.meaning", lang)])


def shapes_table(entries: Sequence[ShapeEntry], lang: str) -> pd.DataFrame:
    """name | shape (numbers) | named dimensions | both, e.g. ``(5, 3, 10) = (L, N, H_in)``."""
    rows = [(e.name, dims_text(e.shape), dims_text(e.dims), t(f"shapes.kind.{e.kind}", lang))
            for e in entries]
    return pd.DataFrame(rows, columns=[t("shapes.col.tensor", lang), t("shapes.col.shape", lang),
                                       t("shapes.col.dims", lang), t("shapes.col.kind", lang)])


def batch_first_table(config: RNNConfig, N: int, L: int, lang: str,
                      total_length: int | None = None) -> pd.DataFrame:
    """The tensors under batch_first=False and =True side by side, and whether they differ.

    Only input and output swap N and L; h_0/c_0/h_n/c_n stay (num_layers*D, N, ·).
    """
    off = tensor_shapes(config.replace(batch_first=False), N, L, total_length)
    on = tensor_shapes(config.replace(batch_first=True), N, L, total_length)
    rows = [(a.name, shape_text(a), shape_text(b),
             t("shapes.bf.swapped" if a.dims != b.dims else "shapes.bf.same", lang))
            for a, b in zip(off, on, strict=True)]
    return pd.DataFrame(rows, columns=[t("shapes.col.tensor", lang), "batch_first=False",
                                       "batch_first=True", t("shapes.col.change", lang)])


def other_layout(config: RNNConfig, N: int, L: int,
                 total_length: int | None = None) -> list[ShapeEntry]:
    """The shape contract with batch_first flipped (what the page compares against)."""
    flipped = config.replace(batch_first=not config.batch_first)
    return shape_contract(flipped, N, L, total_length)


def expected_table(expected: Mapping[str, Sequence[int]], shapes: Sequence[ShapeEntry],
                   unchanged: bool, lang: str) -> pd.DataFrame:
    """tensor | the article's shape | shape here | ✓/✗ (– once the settings differ).

    For packed input the contract's output already is what ``pad_packed_sequence(...,
    total_length=...)`` returns, as the article pads it.
    """
    here = {e.name: e.shape for e in shapes}
    rows = [(name, dims_text(shape), dims_text(here[name]) if name in here else "–",
             MARKS[here.get(name) == tuple(shape)] if unchanged else MARKS[None])
            for name, shape in expected.items()]
    return pd.DataFrame(rows, columns=[t("shapes.col.tensor", lang), t("shapes.col.article", lang),
                                       t("shapes.col.here", lang), t("shapes.col.match", lang)])


# ---- Claims --------------------------------------------------------------------------

def verdict(claim: Claim) -> str:
    """"holds", "fails" or "na" (the suffix of the claim's catalog key)."""
    return {True: "holds", False: "fails", None: "na"}[claim.holds]


def format_number(value) -> str:
    """A claim number as text: diffs ``1.23e-07``, shapes ``(1, 5, 3)``, bools ✓/✗."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2e}"
    if isinstance(value, tuple):
        return dims_text(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def claim_numbers(claim: Claim, lang: str) -> pd.DataFrame | None:
    """quantity | value, for every scalar number behind the verdict (diffs as 1.23e-07);
    None when the claim has none."""
    skip = {"per_sentence"}
    if not claim.numbers.get("bidirectional", True):  # halves of a one-direction output
        skip |= {"forward_diff", "backward_diff"}
    rows = [(t(f"claim.num.{k}", lang), format_number(v)) for k, v in claim.numbers.items()
            if k not in skip]
    if not rows:
        return None
    return pd.DataFrame(rows, columns=[t("shapes.col.quantity", lang),
                                       t("shapes.col.number", lang)])


def claim_sentences(claim: Claim, tokens: Sequence[Sequence[str]],
                    lang: str) -> pd.DataFrame | None:
    """Per sentence: n, its tokens, length and the max abs difference (None if not per sentence)."""
    per = claim.numbers.get("per_sentence")
    if not per:
        return None
    diffs = [p["diff"] if isinstance(p, Mapping) else p for p in per]
    rows = [(n, " ".join(tokens[n]), len(tokens[n]), f"{d:.2e}") for n, d in enumerate(diffs)]
    return pd.DataFrame(rows, columns=["n", t("shapes.col.sentence", lang),
                                       t("shapes.col.length", lang), t("shapes.col.diff", lang)])


def claim_details(claim: Claim, lang: str) -> list[str]:
    """Extra sentences on why this claim fails in this configuration (may be empty)."""
    nums, out = claim.numbers, []
    if claim.key == "output_last_is_h_n" and claim.holds is False:
        if nums.get("bidirectional"):
            out.append(t("claim.output_last_is_h_n.bidirectional", lang,
                          forward=f"{nums['forward_diff']:.2e}",
                          backward=f"{nums['backward_diff']:.2e}"))
        if nums.get("shorter"):
            out.append(t("claim.output_last_is_h_n.shorter", lang,
                          sentences=", ".join(str(n) for n in nums["shorter"])))
    if claim.key == "view_splits_directions" and nums.get("wrong_view_diff", 1) <= TOLERANCE:
        out.append(t("claim.view_splits_directions.same", lang))
    return out
