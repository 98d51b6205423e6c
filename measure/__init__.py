"""The measuring tools: benchmarks, load, server CPU, browser timings (see measure/README.md).

Each is run as a script from the repository root (``python measure/load.py …``); the app
never imports this package (``.importlinter``).
"""
