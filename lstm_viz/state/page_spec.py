"""URL keys that belong to one page (its own choices), next to the sidebar's Settings.

A page declares its keys once (``PageKeys``: each key's parser, named views a teacher can
link with one key, and a repair of combinations) and is listed in ``page_keys.SPECS``.
``query.from_query`` then knows them (no "unknown key" notice); ``from_query`` here reads
them (a bad value is repaired with a Notice, like any sidebar value); ``to_query`` writes
the view and only the values that differ from it, as the sidebar writes its preset. The
app keeps each page's values in the session and writes them only on that page's URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lstm_viz.state.settings import Notice, short


@dataclass(frozen=True)
class PageKey:
    """One URL key: ``parse`` turns its text into a value (ValueError says the rule)."""

    name: str
    parse: Callable[[str], object]
    text: Callable[[object], str] = str  # value → URL text


@dataclass(frozen=True)
class PageKeys:
    """A page's own URL keys and its named views (every key's value)."""

    page: str  # URL path of the page ("memory")
    view_key: str  # the key that names a view ("m_view")
    keys: tuple[PageKey, ...]
    views: Mapping[str, Mapping[str, object]]  # view name → {key: value} for every key
    repair: Callable[[dict, list[Notice]], dict] = field(default=lambda values, notes: values)

    @property
    def default_view(self) -> str:
        return next(iter(self.views))

    def names(self) -> tuple[str, ...]:
        return (self.view_key, *(k.name for k in self.keys))


def _last(value) -> tuple[str, bool]:
    """A query value: the last of repeated keys, and whether it was repeated."""
    if isinstance(value, list | tuple):
        return (str(value[-1]) if value else ""), len(value) > 1
    return str(value), False


def checked(spec: PageKeys, key: str, value, notices: list[Notice]):
    """A widget's value for ``key``: text goes through the key's parser like a URL's (a
    refused one keeps the view's value, with a Notice); other values pass as they are."""
    parser = next((k for k in spec.keys if k.name == key), None)
    if parser is None or not isinstance(value, str):
        return value
    try:
        return parser.parse(value)
    except (ValueError, TypeError) as err:
        default = spec.views[spec.default_view][key]
        notices.append(Notice(key, short(value), str(err), short(parser.text(default))))
        return default


def from_query(params: Mapping, spec: PageKeys) -> tuple[dict, list[Notice]]:
    """The page's values from a query mapping: its view, then each key the URL gives."""
    notices: list[Notice] = []
    view = _last(params.get(spec.view_key, spec.default_view))[0]
    if view not in spec.views:  # looked up in a dict, never used as given
        notices.append(Notice(spec.view_key, short(view),
                              f"unknown view; one of {', '.join(spec.views)}",
                              spec.default_view))
        view = spec.default_view
    values = {spec.view_key: view, **spec.views[view]}
    for key in spec.keys:
        if key.name not in params:
            continue
        raw, repeated = _last(params[key.name])
        if repeated:
            notices.append(Notice(key.name, short(raw),
                                  "given more than once; the last value is used"))
        try:
            values[key.name] = key.parse(raw)
        except (ValueError, TypeError) as err:
            notices.append(Notice(key.name, short(raw), str(err), short(key.text(
                values[key.name]))))
    return spec.repair(values, notices), notices


def to_query(values: Mapping, spec: PageKeys) -> dict[str, str]:
    """The view, then only the values that differ from it."""
    view = values.get(spec.view_key, spec.default_view)
    base = spec.views.get(view, spec.views[spec.default_view])
    query = {spec.view_key: view} if view != spec.default_view else {}
    for key in spec.keys:
        if key.name in values and values[key.name] != base[key.name]:
            query[key.name] = key.text(values[key.name])
    return query

