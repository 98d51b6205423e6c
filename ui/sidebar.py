"""The sidebar every page shares: preset, input batch, constructor arguments, run options.

Widgets are named after the PyTorch arguments (and the URL keys). A teacher's ``hide=``
list removes widgets; ``lock=1`` disables them all.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from lstm_viz.core.caps import Caps
from lstm_viz.core.config import CELLS, NONLINEARITIES
from lstm_viz.core.devices import available_devices
from lstm_viz.core.inputs import ENCODINGS, INITIAL_STATES, MODES
from lstm_viz.core.tokens import TOKENISATIONS
from lstm_viz.i18n import LANG_NAMES, LANGS, t
from lstm_viz.state.presets import PRESETS
from ui import state, weights


def _common(name: str) -> dict:
    s, lang = state.settings(), state.lang()
    state.widget_value(name)
    return {"key": state.widget_key(name), "on_change": partial(state.on_change, name),
            "disabled": s.lock or name in weights.pinned(), "help": t(f"help.{name}", lang)}


def _visible(name: str) -> bool:
    return name not in state.settings().hide


def choice(name: str, options, fmt=None, radio: bool = False) -> None:
    if not _visible(name):
        return
    lang = state.lang()
    kwargs = _common(name)
    if st.session_state[kwargs["key"]] not in options:  # e.g. a device not seen here
        options = [*options, st.session_state[kwargs["key"]]]
    widget = st.radio if radio else st.selectbox
    extra = {"horizontal": True} if radio else {}
    widget(t(f"arg.{name}", lang), list(options),
           format_func=fmt or (lambda v: t(f"opt.{name}.{v}", lang)), **extra, **kwargs)


def integer(name: str, low: int, high: int) -> None:
    if _visible(name):
        kwargs = _common(name)
        value = st.session_state[kwargs["key"]]
        st.session_state[kwargs["key"]] = min(max(int(value), low), high)
        st.number_input(t(f"arg.{name}", state.lang()), min_value=low, max_value=high, step=1,
                        **kwargs)


def flag(name: str) -> None:
    if _visible(name):
        st.toggle(t(f"arg.{name}", state.lang()), **_common(name))


def _input_section(caps: Caps) -> None:
    spec = state.settings().spec
    choice("mode", MODES)
    if spec.mode == "sentences":
        if _visible("sentences"):
            st.text_area(t("arg.sentences", state.lang()), max_chars=caps.max_text_chars,
                         height=130, **_common("sentences"))
        choice("tokens", TOKENISATIONS, radio=True)
        choice("encoding", ENCODINGS, radio=True)
        if spec.encoding == "embedding":
            integer("embedding_dim", 1, caps.max_embedding_dim)
    else:
        integer("seq_len", 1, caps.max_seq_len)
        integer("batch", 1, caps.max_batch)
        integer("input_size", 1, caps.max_input_size)


def _module_section(caps: Caps) -> None:
    cfg = state.settings().config
    choice("cell", CELLS, fmt=str)
    integer("hidden_size", 1, caps.max_hidden_size)
    integer("num_layers", 1, caps.max_layers)
    flag("bias")
    flag("batch_first")
    flag("bidirectional")
    if _visible("dropout"):
        st.slider(t("arg.dropout", state.lang()), 0.0, 0.9, step=0.05, **_common("dropout"))
    if cfg.cell == "LSTM":
        integer("proj_size", 0, cfg.hidden_size - 1)
    if cfg.cell == "RNN":
        choice("nonlinearity", NONLINEARITIES, fmt=str, radio=True)


def _run_section(caps: Caps) -> None:
    spec = state.settings().spec
    flag("packed")
    if spec.packed:
        flag("enforce_sorted")
        integer("total_length", 0, caps.max_seq_len)
    choice("h0", INITIAL_STATES)
    integer("seed", 0, caps.max_seed - 1)
    choice("device", available_devices(), fmt=str)


# Pages that run their own models on their own input: the sidebar's settings change nothing
# there, so it shows the language and says so (the settings are kept for the other pages).
OWN_MODELS = {"memory": "memory.sidebar_note",  # URL path → the sentence saying so
              "train": "train.sidebar_note",
              "teach": "teach.sidebar_note"}  # class mode's dashboard runs no model at all


def render(page: str = "") -> None:
    """Draw the sidebar for the current Settings on the page at URL path ``page``."""
    caps, lang = state.caps(), state.lang()
    with st.sidebar:
        choice("lang", LANGS, fmt=LANG_NAMES.get)
        if page in OWN_MODELS:
            st.info(t(OWN_MODELS[page], lang), icon=":material/info:")
            return
        choice("preset", list(PRESETS), fmt=lambda p: t(f"preset.{p}.title", lang))
        if state.settings().lock:
            st.caption(t("sidebar.locked", lang))
        weights.section()
        with st.expander(t("sidebar.input", lang), expanded=True):
            _input_section(caps)
        with st.expander(t("sidebar.module", lang), expanded=True):
            _module_section(caps)
        with st.expander(t("sidebar.run", lang), expanded=False):
            _run_section(caps)
