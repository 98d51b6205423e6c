"""The pages that have URL keys of their own (``lstm_viz.state.page_keys``), by URL path.

Add a page's ``PageKeys`` to ``PAGES``; ``KNOWN`` is every such key (no "unknown" notice).
"""

from __future__ import annotations

from lstm_viz.state.memory_keys import MEMORY
from lstm_viz.state.page_keys import PageKeys

PAGES: dict[str, PageKeys] = {spec.page: spec for spec in (MEMORY,)}
KNOWN = frozenset(name for spec in PAGES.values() for name in spec.names())
