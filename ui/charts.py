"""Figures on a page: built once per (run, view), shared read-only, sent without re-validation.

The pattern for every page (new pages too)::

    fig = charts.figure("gates", run_key, (lang, layer, d, n, t),
                        lambda: gates_grid_spec(...))           # or any go.Figure builder
    charts.show(fig, key="gates_chart", width="stretch", config={"displaylogo": False})

``figure`` calls the builder once per (name, run key, view) and keeps its result in
``st.cache_resource``: one object for every session, never copied per hit, and read-only
(``lstm_viz.figures.spec.frozen``: a write raises TypeError, so no page can change what
another session sees; ``copy.deepcopy`` gives a mutable copy). ``run_key`` names the run the
figure draws (``lstm_viz.state.pipeline.settings_key``); ``view`` holds everything else the
figure depends on (language, layer, sentence, step, …), as hashable plain values. Any change
to the figure (an outline, a highlight) belongs inside the builder.

``show`` hands the spec to ``st.plotly_chart``, which takes a ``go.Figure`` as its
``to_dict()`` but validates a dict property by property into a new ``go.Figure`` first (as
long as building it with plotly.py's objects: docs/PERFORMANCE.md). The spec was built from
checked builders (tests/figures/test_specs.py validates every builder's spec with plotly.py), so it
goes to the browser as it is: the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import plotly.graph_objects as go
import streamlit as st

from lstm_viz.figures.spec import FrozenDict, frozen, typed_arrays

MAX_FIGURES = 128  # ~15 KB each at the official preset, up to ~1 MB at the classroom caps


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)
def _cached(name: str, run_key: str, view: tuple, _build: Callable) -> FrozenDict:
    fig = _build()
    return frozen(fig.to_dict() if isinstance(fig, go.Figure) else typed_arrays(fig))


def figure(name: str, run_key: str, view: tuple, build: Callable[[], dict | go.Figure]
           ) -> FrozenDict:
    """``build()``'s figure as a read-only spec, built once per (name, run_key, view)."""
    return _cached(name, run_key, tuple(view), build)


MAX_LIVE = 48  # a training's figures: 4 per snapshot count, shared by every watcher


@st.cache_resource(max_entries=MAX_LIVE, show_spinner=False)
def _live(name: str, run_key: str, view: tuple, _build: Callable) -> FrozenDict:
    return frozen(typed_arrays(_build()))


def live_figure(name: str, run_key: str, view: tuple, build: Callable[[], dict]) -> FrozenDict:
    """``figure`` for something still growing (a training: a new version with every
    snapshot), in a cache of its own, so that it never pushes other pages' figures out."""
    return _live(name, run_key, tuple(view), build)


class _Built(go.Figure):
    """A finished spec in the shape ``st.plotly_chart`` takes as it is: a ``go.Figure``,
    whose ``to_dict()`` is all Streamlit reads of it. ``go.Figure.__init__`` is skipped on
    purpose: building its Layout object is the cost this avoids."""

    def __init__(self, spec: Mapping):  # no super().__init__(): see the class docstring
        self._spec = spec

    def to_dict(self) -> Mapping:
        return self._spec

    def __repr__(self) -> str:  # go.Figure's would read the state skipped above
        return f"<spec of {len(self._spec.get('data', ()))} traces>"


def show(spec: Mapping, **kwargs):
    """``st.plotly_chart(spec, **kwargs)`` for a spec from ``figure`` (or any finished,
    JSON-ready figure dict), sent without plotly.py validating it again."""
    return st.plotly_chart(_Built(spec), **kwargs)
