"""Print how many hostile cases a test module tried, past pytest's output capture."""

from collections import Counter


def write_count(request, label: str, tried: Counter) -> None:
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{label}: {sum(tried.values())} hostile cases tried "
                                f"({dict(tried)})")
