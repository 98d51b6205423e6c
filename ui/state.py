"""Session state ↔ Settings ↔ URL. The single source of truth is ``st.session_state.settings``.

Widget values live under ``w_<name>`` keys but are always rebuilt from the Settings when
a widget is (re)created, because Streamlit drops the state of widgets not rendered on a
run. Every change goes through ``repair.make_valid`` and is written to the query string.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from lstm_viz import trained
from lstm_viz.core.caps import Caps
from lstm_viz.i18n import pick_lang
from lstm_viz.state import page_spec
from lstm_viz.state.page_keys import MAX_CHARS, SPECS, named_keys, page_keys
from lstm_viz.state.presets import DEFAULT_PRESET, PRESETS
from lstm_viz.state.query import from_query, to_query
from lstm_viz.state.repair import make_valid
from lstm_viz.state.settings import (
    CONFIG_KEYS,
    KNOWN_KEYS,
    SPEC_KEYS,
    Notice,
    Settings,
    from_preset,
)
from lstm_viz.state.teacher_env import url_defaults

log = logging.getLogger("lstm_viz.app")


@st.cache_resource(max_entries=1, show_spinner=False)
def caps() -> Caps:
    """The deployment's caps (``LSTM_VIZ_MAX_*``), read once per process."""
    return Caps.from_env()


def uploads() -> dict:
    """The session's uploaded weights: ``"upload:<sha256>"`` → (trained.Weights, RNNConfig).
    Session-only: a link cannot carry a file."""
    return st.session_state.setdefault("uploads", {})


def upload_configs() -> dict:
    """The session's uploaded weights' RNNConfigs, by ``"upload:<sha256>"`` (for repairs)."""
    return {name: config for name, (_, config) in uploads().items()}


def upload(s: Settings) -> trained.Weights | None:
    """The uploaded weights ``s.weights`` names, if this session holds them."""
    entry = uploads().get(s.weights)
    return entry[0] if entry else None


def widget_key(name: str) -> str:
    return f"w_{name}"


def settings() -> Settings:
    return st.session_state.settings


def lang() -> str:
    s = st.session_state.settings
    return s.lang or pick_lang(None, st.context.locale)


def notices() -> list[Notice]:
    return st.session_state.get("notices", [])


def _query_now() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _teacher_defaults(params: dict) -> dict:
    """Deployment-wide preset/lang/hide/lock/device (``LSTM_VIZ_PRESET`` …) unless the URL
    sets them; a locked deployment pins its preset, hide and lock (``teacher_env``)."""
    return url_defaults(params, os.environ)


def init() -> None:
    """Every run: forget widget values a change repaired. First run of a session: Settings
    from the URL (or the deployment's defaults)."""
    _forget_widgets()
    if "settings" in st.session_state:
        return
    raw = _query_now()
    st.session_state.page_params = {k: raw[k][-1][:MAX_CHARS] for k in named_keys()
                                    if raw.get(k)}
    params = _teacher_defaults(_query_now())
    # A link the app wrote (it always names the preset) to a page with keys of its own (a
    # lesson step) keeps its configuration, unless the deployment's lock dropped some of it;
    # a teacher's short link (?lesson=…&step=…, seed=…) gets the step's configuration.
    kept = "preset" in raw and params.get("preset") == raw["preset"] and all(
        k in params for k in raw if k in (*CONFIG_KEYS, *SPEC_KEYS, "weights"))
    st.session_state.link_config = bool(st.session_state.page_params) and kept
    try:
        s, found = from_query(params, caps())
        pages = {name: page_spec.from_query(params, spec) for name, spec in SPECS.items()}
    except Exception:  # a bug must not cost the student the app: the preset, and the log
        log.exception("query could not be read: %r", _query_now())
        s, found = from_preset(DEFAULT_PRESET), [Notice("URL", "…", "could not be read",
                                                        DEFAULT_PRESET)]
        pages = {name: page_spec.from_query({}, spec) for name, spec in SPECS.items()}
    st.session_state.page_values = {name: values for name, (values, _) in pages.items()}
    found += [note for _, notes in pages.values() for note in notes]
    st.session_state.settings = s
    st.session_state.notices = found
    for n in found:
        log.info("query value repaired: %s", n)


def widget_value(name: str):
    """The value a widget shows: from the Settings, reset if Streamlit dropped it."""
    key = widget_key(name)
    if key not in st.session_state:
        st.session_state[key] = settings().get(name) if name != "lang" else lang()
    return st.session_state[key]


def _forget_widgets() -> None:
    """Drop the widgets' own values once ``apply`` asked, so they re-read the Settings.

    Called at the top of the script run, not in ``apply``: a busy server merges two widget
    changes into one run, and every callback must still find its own widget's value.
    """
    if st.session_state.pop("forget_widgets", False):
        for name in KNOWN_KEYS:
            st.session_state.pop(widget_key(name), None)


def apply(name: str, value) -> None:
    """Set one value (a widget callback), repair, store, and mirror into the URL."""
    current = settings()
    found: list[Notice] = []
    try:
        if name == "preset":
            keep = {k: getattr(current, k) for k in ("device", "lang", "hide", "lock")}
            if value not in PRESETS:  # a forged widget message: names come from the dict only
                found.append(Notice("preset", str(value)[:40], "unknown preset",
                                    current.preset))
            new = from_preset(value if value in PRESETS else current.preset, **keep)
        elif name == "weights" and value in trained.MODELS and (
                trained.task_of(value) != trained.task_of(current.weights)):
            new = current.set(name, value).set("sentences", trained.examples(value))
        else:
            new = current.set(name, value)
        new = make_valid(new, caps(), found, upload_configs())
    except Exception:  # unknown name, a value of a kind nothing expects: keep what was valid
        log.exception("widget value refused: %s=%r", name, value)
        new, found = current, [Notice(str(name)[:40], str(value)[:40], "refused")]
    replace(new, found)


def on_change(name: str) -> None:
    apply(name, st.session_state[widget_key(name)])


def replace(new: Settings, found: list[Notice]) -> None:
    """Store valid Settings (``apply``'s, or a lesson step's) with the notices of what was
    repaired, and mirror them into the URL."""
    st.session_state.settings = new
    st.session_state.notices = found
    st.session_state.forget_widgets = True  # widgets re-read the repaired Settings (init)
    write_url()


def page_param(name: str) -> str | None:
    """The current value of a page's own URL key (``lstm_viz.state.page_keys``)."""
    return st.session_state.get("page_params", {}).get(name)


def set_page_params(**values) -> None:
    """Change page keys (None removes one) and mirror them into the URL."""
    params = dict(st.session_state.get("page_params", {}))
    params.update({k: str(v)[:MAX_CHARS] for k, v in values.items() if v is not None})
    for k in [k for k, v in values.items() if v is None]:
        params.pop(k, None)
    st.session_state.page_params = params
    write_url()


def page_values(page: str) -> dict:
    """The values of a page with a ``PageKeys`` spec (``page_keys.SPECS``), read from the URL
    once per session."""
    return st.session_state.page_values[page]


def set_page_value(page: str, key: str, value) -> None:
    """Set one of a page's own values (a widget callback; a view sets all), repair, store,
    and mirror into the URL."""
    spec, found = SPECS[page], []
    values = {**page_values(page), key: page_spec.checked(spec, key, value, found)}
    if key == spec.view_key:
        values = {key: value, **spec.views[value]} if value in spec.views else page_values(page)
    st.session_state.page_values[page] = spec.repair(values, found)
    st.session_state.notices = found
    write_url()


def _arrive(page: str) -> None:
    """Arriving at a page with keys of its own by a link that names some (a lesson's "see it
    on the Train page"): they replace the session's, repaired with notices. A plain
    navigation carries none and keeps the session's."""
    spec, raw = SPECS[page], _query_now()
    given = {k: raw[k] for k in spec.names() if raw.get(k)}
    if not given:
        return
    values, found = page_spec.from_query(given, spec)
    if values != page_values(page):
        st.session_state.page_values[page] = values
        st.session_state[f"{page}_forget_widgets"] = True  # ui.page_bind rebuilds them
    st.session_state.notices = [*notices(), *found]


def write_url(page: str | None = None) -> None:
    """Mirror the Settings, and the shown page's own keys, into the query string (cleared
    by page navigation). ``page``: the URL path now shown (app.py passes it every run)."""
    if page is not None:
        if page != st.session_state.get("page_path") and page in SPECS:
            _arrive(page)
        st.session_state.page_path = page
    path = st.session_state.get("page_path", "")
    own = page_keys(path)
    wanted = to_query(settings()) | {k: v for k, v in st.session_state.get(
        "page_params", {}).items() if k in own}
    if path in SPECS:
        wanted |= page_spec.to_query(page_values(path), SPECS[path])
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
