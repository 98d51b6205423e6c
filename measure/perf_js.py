"""What measure/perf.py asks the browser (JavaScript run by Playwright in the page): the first
chart drawn, the largest chart's size, and the marks that time a change from the key press to
every chart redrawn with new data."""

from __future__ import annotations

from serving.appserver import SETTLED

FIRST_CHART = "() => !!document.querySelector('[data-testid=stPlotlyChart] .main-svg')"
# Size of the largest chart on the page: heatmap rows (summed over panels), columns, height.
LARGEST = """() => {
  let best = null;
  for (const gd of document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')) {
    const maps = gd._fullData.filter(t => t.type === 'heatmap' && t.name !== 'pad');
    const rows = maps.reduce((s, t) => s + t.z.length, 0);
    const cols = Math.max(0, ...maps.map(t => t.z[0].length));
    const cells = maps.reduce((s, t) => s + t.z.length * t.z[0].length, 0);
    if (!best || cells > best.cells) best = {rows, cols, cells, height: gd._fullLayout.height};
  }
  return best;
}"""
MARK = """() => {
  window.__lvOld = [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
    .map(gd => gd.data);
  window.__lvStart = window.__lvRunEnd = null;
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && window.__lvStart === null) window.__lvStart = performance.now();
  }, {capture: true, once: true});
  const app = document.querySelector('[data-testid=stApp]');
  window.__lvRunObserver?.disconnect();
  window.__lvRunObserver = new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    if (window.__lvStart !== null && state === 'notRunning' && window.__lvRunEnd === null) {
      window.__lvRunEnd = performance.now();
    }
  });
  window.__lvRunObserver.observe(app, {attributes: true,
                                       attributeFilter: ['data-test-script-state']});
}"""
# Every chart has new data and the page has settled: [ms to that, ms to the run's end]. A run
# short enough for React to batch running → notRunning leaves no mutation: then its end is now.
REDRAWN = f"""() => {{
  const gds = [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')];
  const fresh = gds.length > 0 && gds.every(gd => !window.__lvOld.includes(gd.data));
  if (!(fresh && ({SETTLED})() && window.__lvStart !== null)) return false;
  const now = performance.now();
  return [now - window.__lvStart, (window.__lvRunEnd ?? now) - window.__lvStart];
}}"""
LOADED = f"() => ({SETTLED})() && performance.now()"  # ms since the navigation started
WHY_NOT = """() => ({
  start: window.__lvStart, runEnd: window.__lvRunEnd,
  state: document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state'),
  fresh: [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
    .map(gd => !window.__lvOld.includes(gd.data)),
  settled: (""" + SETTLED + """)(),
})"""


