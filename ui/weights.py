"""The sidebar's Weights section (random, a shipped trained model, or an uploaded file) and
the readable unit that the Gates and Hidden states pages point out.

An uploaded file is read only by ``lstm_viz.io.weights_file`` (safetensors, or torch's
weights-only unpickler), lives in this session only, keyed by its sha256
(``settings.weights = "upload:<sha256>"``, which every cache key includes).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import replace
from functools import partial

import streamlit as st

from lstm_viz import trained
from lstm_viz.core.config import constructor_call
from lstm_viz.core.tokens import split_sentences, tokenise
from lstm_viz.figures.readable import outline_units
from lstm_viz.i18n import t
from lstm_viz.io.weights_file import WeightsError, load_state_dict
from lstm_viz.io.weights_infer import check_against, infer_config, module_state, rnn_prefixes
from lstm_viz.trained import readable
from lstm_viz.trained.pin import fixed_values
from ui import state
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")
MAX_BYTES = 2 * 1024 * 1024  # .streamlit/config.toml: maxUploadSize = 2 (MB)


def pinned() -> frozenset[str]:
    """The settings the current weights fix (their sidebar controls are disabled)."""
    s = state.settings()
    return _pinned(s.weights, s.spec.mode, tuple(state.upload_configs().items()),
                   state.caps().max_embedding_dim)


@functools.lru_cache(maxsize=64)
def _pinned(weights: str, mode: str, uploads: tuple, max_embedding_dim: int) -> frozenset[str]:
    """Asked by every sidebar control on every rerun: worked out once per combination."""
    return frozenset(fixed_values(weights, mode, dict(uploads), max_embedding_dim) or {})


def _label(value: str, lang: str, names: dict) -> str:
    if value == "random":
        return t("trained.opt.random", lang)
    if value in trained.MODELS:
        task, cell = value.split("-")
        return t("trained.opt.model", lang, task=t(f"trained.task.{task}", lang),
                 cell=cell.upper())
    return t("trained.opt.upload", lang, file=names.get(value, value[7:19]))


def _about(name: str, lang: str) -> None:
    meta, s = trained.info(name), state.settings()
    acc = meta["accuracy"]
    st.caption(t(f"trained.about.{meta['task']}", lang, acc=f"{acc['test']:.1%}",
                 test=meta["test_size"], long=f"{acc.get('test_long', 0):.1%}"))
    tokens = [tokenise(line, meta["tokens"]) for line in split_sentences(s.spec.sentences)]
    unknown = trained.unknown_words(name, tokens)
    if unknown:
        st.caption(md_escape(t("trained.unknown", lang, words=", ".join(unknown[:20]))))
    vocab = meta["vocab"]
    st.caption(md_escape(t("trained.vocab", lang, count=len(vocab), words=" ".join(vocab[2:]))))


def section() -> None:
    """The Weights expander: the choice, what the model learned, the uploader."""
    s, lang = state.settings(), state.lang()
    if "weights" in s.hide:
        return
    with st.expander(t("trained.sidebar.title", lang), expanded=s.weights != "random"):
        key = state.widget_key("weights")
        state.widget_value("weights")
        options = ["random", *trained.MODELS, *state.uploads()]
        if st.session_state[key] not in options:
            options.append(st.session_state[key])
        st.selectbox(t("trained.arg.weights", lang), options, key=key,
                     format_func=partial(_label, lang=lang,
                                         names=dict(st.session_state.get("upload_names", {}))),
                     disabled=s.lock,
                     on_change=partial(state.on_change, "weights"),
                     help=t("trained.help.weights", lang))
        if s.weights in trained.MODELS:
            _about(s.weights, lang)
        if s.weights != "random":
            st.caption(t("trained.pinned", lang))
        if not s.lock:
            uploader(lang)


def _read(data: bytes, filename: str) -> tuple[str, dict]:
    """(sha256, state_dict) of the uploaded bytes, read once per file and session."""
    sha = hashlib.sha256(data).hexdigest()
    held = st.session_state.get("upload_read")
    if held and held[0] == sha:
        return held
    sd = load_state_dict(data, filename, MAX_BYTES, state.caps())
    st.session_state.upload_read = (sha, sd)
    return sha, sd


def uploader(lang: str) -> None:
    """Upload → safe read → choose the RNN (if several) → its config vs the sidebar's →
    "Use these weights". Every refusal is a message, never a traceback."""
    f = st.file_uploader(t("trained.upload.label", lang), type=["safetensors", "pt", "pth"],
                         key="weights_file", help=t("trained.upload.help", lang))
    if f is None:
        return
    try:
        sha, sd = _read(f.getvalue(), f.name)
        prefixes = rnn_prefixes(sd) or [""]
        prefix = prefixes[0]
        if len(prefixes) > 1:
            prefix = st.selectbox(t("trained.upload.prefix", lang), prefixes,
                                  key="weights_prefix",
                                  format_func=lambda p: p or t("trained.upload.bare", lang))
        s = state.settings()
        cfg = infer_config(sd, prefix, s.config.nonlinearity, state.caps())
    except WeightsError as err:
        st.error(md_escape(t("trained.upload.refused", lang, reason=err.message(lang))))
        return
    except Exception:  # never a traceback in the browser; the log keeps it
        log.exception("uploaded weights could not be read: %r", f.name[-80:])
        st.error(t("trained.upload.error", lang))
        return
    cfg = replace(cfg, batch_first=s.config.batch_first, dropout=s.config.dropout)
    st.caption(md_escape(t("trained.upload.found", lang, config=constructor_call(cfg))))
    if cfg.cell == "RNN":
        st.caption(t("weights_file.note.nonlinearity", lang))
    _compare(s.config, sd, prefix, lang)
    st.button(t("trained.upload.use", lang), key="weights_use", on_click=use_upload,
              args=(f"upload:{sha}", module_state(sd, prefix), cfg, f.name[-60:]))


def _compare(config, sd: dict, prefix: str, lang: str) -> None:
    mismatches = check_against(config, sd, prefix)
    if not mismatches:
        st.caption(t("trained.upload.match", lang))
        return
    lines = "\n".join(f"- {md_escape(m.error().message(lang))}" for m in mismatches[:12])
    st.warning(t("trained.upload.mismatch", lang, count=len(mismatches)) + "\n\n" + lines)


def use_upload(name: str, rnn: dict, cfg, filename: str) -> None:
    """Keep the session's one uploaded file (by sha256) and switch to it (a callback)."""
    held = state.uploads()
    held.clear()  # one file per session: the last one used
    held[name] = (trained.Weights(name, rnn), cfg)
    st.session_state.setdefault("upload_names", {})[name] = filename
    state.apply("weights", name)


def findings(s) -> dict | None:
    """The readable units of the session's shipped model ({"state": …, "gate": …})."""
    return trained.info(s.weights)["readable"] if s.weights in trained.MODELS else None


def show(s, which: tuple[str, ...], lang: str) -> None:
    """The readable units' sentences (``which``: "state", "gate") in one callout."""
    found = findings(s)
    if not found:
        return
    meta = trained.info(s.weights)
    lines = [readable.sentence(found[k], lang) for k in which]
    st.info("  \n".join([f"**{t('trained.readable.title', lang)}**", *map(md_escape, lines),
                         t("trained.readable.how", lang, test=meta["test_size"])]),
            icon=":material/lightbulb:")


def outline(fig, s, rows: int, names: dict[str, int | str]) -> None:
    """Outline the session's readable units in ``fig``, in place (``outline_units``)."""
    if found := findings(s):
        outline_units(fig, found, rows, names)


def prediction(result, n: int, lang: str) -> None:
    """What the trained model answers for sentence n (its head on the traced h)."""
    s = result.settings
    if s.weights not in trained.MODELS:
        return
    meta, length = trained.info(s.weights), int(result.trace.lengths[n])
    h = result.trace.step_values(0, 0)["h"][n, :length]  # (length, H_out)
    probs = trained.head_probabilities(s.weights, h)  # (length, classes)
    if meta["per_step"]:
        depths = " ".join(f"{tok}→{int(k)}" for tok, k in zip(
            result.batch.tokens[n], probs.argmax(-1).tolist(), strict=False))
        st.markdown(md_escape(t("trained.prediction.brackets", lang, n=n, depths=depths)))
        return
    p, k = probs[-1].max(-1)
    label = t(f"trained.class.{meta['classes'][int(k)]}", lang)
    st.markdown(md_escape(t("trained.prediction.sentiment", lang, n=n, label=label,
                            p=f"{float(p):.2f}")))


def preselect(s, key: str) -> None:
    """Show the readable state unit's kind (h or c) first on the Hidden states page."""
    found = findings(s)
    if found and key not in st.session_state:
        st.session_state[key] = found["state"]["kind"]


def switch_note(s, which: str, lang: str) -> None:
    """Say where the readable state unit is when the chart shows the other state."""
    found = findings(s)
    if found and found["state"]["kind"] != which:
        kind = found["state"]["kind"]
        st.caption(t("trained.readable.switch", lang, kind=kind))
