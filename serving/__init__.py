"""What the running app server imports besides the app itself, and how to start one.

- ``warm``: the warm-up ``scripts/serve.py`` starts once the server answers its health check.
- ``stclient``: a client of Streamlit's websocket protocol (the warm-up, and measure/'s load).
- ``appserver``: start and stop a server on a free port and tell when a page is fully drawn
  (the browser tests, ``scripts/screenshots.py`` and measure/ share it).

The Docker image copies this package; it imports nothing from ``measure`` or ``tests``
(``.importlinter``).
"""
