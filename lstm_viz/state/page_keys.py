"""URL keys that belong to one page, beside the Settings' own keys.

A page's keys (the lessons' ``lesson`` and ``step``) ride in the query string while
that page shows and are dropped on the others; ``from_query`` does not call them unknown,
and a locked deployment keeps them (``teacher_env``), so a teacher's link to one lesson step
works everywhere. A new page with keys of its own adds one line here; the page reads and
checks its values itself (``ui.state.page_param``).
"""

from __future__ import annotations

PAGE_KEYS: dict[str, tuple[str, ...]] = {  # URL path of the page → its own keys
    "learn": ("lesson", "step"),  # the drill's seed= is the Settings' own seed
}
MAX_CHARS = 40  # longer values are cut: no page key needs more


def page_keys(page: str | None = None) -> tuple[str, ...]:
    """The keys of ``page`` (its URL path), or of every page when None."""
    if page is not None:
        return PAGE_KEYS.get(page, ())
    return tuple(k for keys in PAGE_KEYS.values() for k in keys)
