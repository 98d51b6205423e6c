"""The cached run every page draws from, and the messages around it.

``st.cache_resource`` holds modules and runs: one object per configuration for every
session, never copied per hit (``st.cache_data`` unpickled a copy of the run's tensors on
every rerun of every page). Both are read-only: no page writes to a run or a module
(tests/test_shared_results.py runs every page and checks the cached run is unchanged,
tests/test_isolation.py the module). Keyed on plain configuration values and bounded.
"""

from __future__ import annotations

import logging

import streamlit as st

from lstm_viz.core.build import Built
from lstm_viz.core.config import ConfigError
from lstm_viz.i18n import t
from lstm_viz.state.pipeline import Run, build, run, settings_key
from lstm_viz.state.settings import Settings
from ui import state
from ui.text import md_escape

log = logging.getLogger("lstm_viz.app")


@st.cache_resource(max_entries=16, show_spinner=False)  # a module at the caps: ~24 MB
def cached_module(key: str, _settings: Settings, _upload=None) -> Built:
    """The module for a (config, seed, device, weights) key; an upload's weights name holds
    the file's sha256, so equal keys mean equal weights in every session."""
    return build(_settings, state.caps(), _upload)


def current_module(s: Settings) -> Built:
    """The (shared, read-only) module of ``s``: same weights as the cached run's."""
    return cached_module(f"{s.config}|{s.spec.seed}|{s.device}|{s.weights}", s, state.upload(s))


@st.cache_resource(max_entries=16, show_spinner=False)  # a Run at the caps: ~67 MB
def cached_run(key: str, _settings: Settings) -> Run:
    return run(_settings, current_module(_settings), state.caps(), state.upload(_settings))


def show_notices() -> None:
    """Values that were repaired, as plain text (user input is never rendered as markup)."""
    lang = state.lang()
    for n in state.notices():
        st.warning(md_escape(t("notice.repaired", lang, notice=str(n))), icon=":material/warning:")


def current_run() -> Run | None:
    """The run for the session's Settings, or None after showing a friendly error."""
    s, lang = state.settings(), state.lang()
    try:
        result = cached_run(settings_key(s), s)
    except ConfigError as err:
        st.error(md_escape(t("error.config", lang, arg=err.arg, value=str(err.value)[:80],
                             rule=err.rule)))
        return None
    except Exception:  # never a traceback in the browser; the log keeps it
        log.exception("run failed for %s", settings_key(s))
        st.error(t("error.internal", lang))
        return None
    if result.fallback_reason:
        st.info(md_escape(t("notice.device", lang, reason=result.fallback_reason)))
    return result


def badge(result: Run) -> None:
    """Whether the recomputed values reproduce the real module, with the max abs diff."""
    lang, tr = state.lang(), result.trace
    key = "badge.verified" if tr.verified else "badge.mismatch"
    text = t(key, lang, diff=f"{tr.worst_diff:.1e}", device=result.device)
    if tr.verified:
        st.success(text, icon=":material/verified:")
    else:
        st.error(text, icon=":material/error:")


def page(name: str) -> Run:
    """Every page's opening: title, repaired-value notices, the run, the verification badge.

    Stops the page (``st.stop()``) after a friendly error when the run can't be made.
    """
    st.title(t(f"page.{name}", state.lang()))
    show_notices()
    result = current_run()
    if result is None:
        st.stop()
    badge(result)
    return result
