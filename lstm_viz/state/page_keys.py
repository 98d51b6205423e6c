"""URL keys that belong to one page, beside the Settings' own keys.

A page's keys ride in the query string while that page shows and are dropped on the others;
``from_query`` does not call them unknown, and a locked deployment keeps them
(``teacher_env``), so a teacher's link to one lesson step or one Memory view works
everywhere. Two kinds of page:

- a page with a ``PageKeys`` spec (``page_spec``: each key's parser, named views, a repair
  of combinations; Memory's ``m_*`` keys) has its values read and repaired for it
  (``ui.state.page_values``);
- a page listed by its key names only (Lessons: ``lesson``, ``step``) reads and checks its
  values itself (``ui.state.page_param``), each cut to ``MAX_CHARS``.

A new page with keys of its own adds one line here.
"""

from __future__ import annotations

from lstm_viz.state.memory_keys import MEMORY
from lstm_viz.state.page_spec import PageKeys
from lstm_viz.state.train_keys import TRAIN

SPECS: dict[str, PageKeys] = {spec.page: spec for spec in (MEMORY, TRAIN)}
NAMED: dict[str, tuple[str, ...]] = {  # URL path of the page → its own keys
    "learn": ("lesson", "step", "class", "student"),  # the drill's seed= is the Settings' own
    "teach": ("class", "key", "names"),  # class mode (lstm_viz.classroom.codes reads them)
}
PAGE_KEYS: dict[str, tuple[str, ...]] = {**NAMED, **{p: s.names() for p, s in SPECS.items()}}
MAX_CHARS = 40  # longer values of NAMED keys are cut: no such key needs more


def page_keys(page: str | None = None) -> tuple[str, ...]:
    """The keys of ``page`` (its URL path), or of every page when None."""
    if page is not None:
        return PAGE_KEYS.get(page, ())
    return tuple(k for keys in PAGE_KEYS.values() for k in keys)


def named_keys() -> tuple[str, ...]:
    """The keys of every page that reads its own values (``NAMED``)."""
    return tuple(k for keys in NAMED.values() for k in keys)
