"""Regenerate the documentation screenshots under docs/images/ in one command.

    python scripts/screenshots.py                  # start the app on a free port, shoot all
    python scripts/screenshots.py --url http://127.0.0.1:8501   # use a running app
    python scripts/screenshots.py --only gates-official          # names containing this

Every page × a few presets × both languages, plus the SCENES the guides need (and class mode's,
from a class played in the app first: scripts/lib/class_scenes.py), in Debian's
Chromium (LSTM_VIZ_CHROMIUM): 1400 px wide, light theme, the presets' own seeds, taken once
the run has finished and every chart is drawn. The page is shot whole (down to the last
element that fits in --max-height px) and stored as a losslessly optimised PNG:
docs/images/<lang>/<page>-<preset>.png, docs/images/<lang>/<scene>.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.lib import class_scenes
from serving.appserver import CHROMIUM, CHROMIUM_ARGS, ROOT, settle, streamlit_server

PAGES = {"overview": "", "shapes": "shapes", "gates": "gates", "states": "states",
         "packing": "packing", "learn": "learn"}
SCENE_PAGES = {"memory": "memory", "train": "train", "teach": "teach"}  # shot in scenes only
PRESETS = ("official", "pets", "packing", "stacked")
LANGS = ("en", "zh")
# Views the guides point at that no preset shows as it is: name -> (page, query string).
SCENES = {
    "states-pets-bidirectional": ("states", "preset=pets&bidirectional=true&num_layers=2"),
    "overview-teacher": ("overview", "preset=pets&hide=preset,cell,mode&lock=1"),
    "gates-trained-sentiment": ("gates", "preset=trained-sentiment"),
    "states-trained-brackets": ("states", "preset=trained-brackets"),
    "learn-question": ("learn", "lesson=000-shapes&step=2"),
    "learn-diagnosis": ("learn", "lesson=000-shapes&step=2"),
    "learn-reveal": ("learn", "lesson=000-shapes&step=2"),
    "learn-trained": ("learn", "lesson=trained-sentiment&step=2"),
    "memory": ("memory", "preset=official"),
    "memory-long": ("memory", "preset=official&m_view=long&m_step=30"),
    "train-race": ("train", "t_view=race"),
    "train-forget-gate": ("train", "t_view=race"),
    "train-flow": ("train", "t_view=race"),
}
# Train scenes: press Start (unless the run is kept already), wait for the training to end,
# then shoot the whole page (None) or only the chart of that index (0 the curves, 1 accuracy
# by distance, 2 the gates' means, 3 the gradient flow).
TRAINED = {"train-race": None, "train-forget-gate": 2, "train-flow": 3}
TRAINING_S = 600  # the longest a training may take here (12-20 epochs: a minute or two)
# Scenes whose guide shows the whole page, taller than --max-height: the least height to allow.
TALL = {"memory": 4500, "memory-long": 4500,  # the gradient flow and the forced gate too
        "train-race": 3600,  # the settings, the four charts and "open this model"
        "teach-projector": 3600, "teach-vote": 3600}  # the whole dashboard
# Answers typed (then Enter) before a scene is shot: a wrong one, then the right one.
ANSWERS = {"learn-diagnosis": ("(3, 5, 20)",), "learn-reveal": ("(3, 5, 20)", "5,3,20")}
OUT = ROOT / "docs" / "images"
LOCALES = {"en": "en-US", "zh": "zh-CN"}
# The height to shoot: everything the app drew (the main column scrolls inside the window),
# or, when that is taller than maxHeight, down to the last top-level element that fits whole,
# less the headings and captions that would end the picture without what they introduce.
SHOT_HEIGHT = """(maxHeight) => {
  const main = document.querySelector('[data-testid=stMain]');
  const block = main.querySelector('[data-testid=stMainBlockContainer]');
  const scroll = main.scrollTop || 0, pad = 16;  // below the last element shown
  const full = block.getBoundingClientRect().top + scroll + block.scrollHeight;
  if (full <= maxHeight) return Math.ceil(full);
  const kids = [...block.querySelector('[data-testid=stVerticalBlock]').children]
    .filter(el => el.getBoundingClientRect().height > 0);
  let last = kids.findIndex(el => el.getBoundingClientRect().bottom + scroll + pad > maxHeight);
  last = (last < 0 ? kids.length : last) - 1;
  const intro = el => el.querySelector('[data-testid=stHeading], [data-testid=stCaptionContainer]')
    && el.getBoundingClientRect().height < 120;
  while (last > 0 && intro(kids[last])) last -= 1;
  if (last < 0) return maxHeight;
  return Math.ceil(kids[last].getBoundingClientRect().bottom + scroll + pad);
}"""


def shots(pages, presets, langs, scenes=True) -> list[tuple[str, str, str, str]]:
    """(lang, page, query, file name) of every image."""
    out = [(lang, page, f"preset={preset}", f"{page}-{preset}")
           for lang in langs for preset in presets for page in pages]
    if scenes:
        out += [(lang, page, query, name) for lang in langs
                for name, (page, query) in SCENES.items()]
    return out


def optimise(path: Path) -> None:
    """Lossless: RGB without alpha, maximum deflate. (A 256-colour palette would halve the
    files but bands the thin colour bars and shifts their ends: wrong for a colour key.)"""
    with Image.open(path) as img:
        rgb = img.convert("RGB")
    rgb.save(path, optimize=True)


def shoot(browser, url: str, lang: str, page_name: str, query: str, path: Path,
          width: int, height: int, max_height: int) -> Path:
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              locale=LOCALES[lang], color_scheme="light",
                              device_scale_factor=1)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/{({**PAGES, **SCENE_PAGES})[page_name]}?{query}&lang={lang}")
        settle(page)
        if path.stem in TRAINED:
            _trained(page)
        for text in ANSWERS.get(path.stem, ()):
            box = page.locator("[data-testid=stForm] input[type=text]")
            box.fill(text)
            box.press("Enter")
            page.wait_for_timeout(500)  # the rerun starts
            settle(page)
        chart = TRAINED.get(path.stem)  # None: the whole page
        if chart is None:
            full = max(page.evaluate(SHOT_HEIGHT, max_height), height)
            page.set_viewport_size({"width": width, "height": full})
            page.wait_for_timeout(300)  # the window grew: let Streamlit lay out again
            settle(page)
        page.evaluate("document.fonts.ready")
        if page.get_by_test_id("stException").count() or errors:
            raise RuntimeError(f"{page.url}: the app showed an error {errors}")
        path.parent.mkdir(parents=True, exist_ok=True)
        target = page if chart is None else page.get_by_test_id("stPlotlyChart").nth(chart)
        target.screenshot(path=str(path), animations="disabled", caret="hide")
        optimise(path)
        return path
    finally:
        ctx.close()


def _trained(page) -> None:
    """Start the page's training (unless it is kept already) and wait for its end."""
    start = page.locator(".st-key-train_start button")
    if start.is_enabled():
        start.click()
    page.get_by_test_id("stAlertContentSuccess").wait_for(timeout=TRAINING_S * 1000)
    settle(page)


def run(url: str, args) -> list[Path]:
    from playwright.sync_api import sync_playwright

    todo = [s for s in shots(args.pages, args.presets, args.langs, not args.no_scenes)
            if not args.only or args.only in f"{s[0]}/{s[3]}"]
    done = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang, page_name, query, name in todo:
            done.append(_shot(browser, url, lang, page_name, query, name, args))
        for lang in args.langs if not args.no_scenes else ():  # a class played first
            if args.only and not any(args.only in f"{lang}/{n}" for n in class_scenes.SCENES):
                continue
            for name, page_name, query in class_scenes.shots(browser, url, lang):
                if not args.only or args.only in f"{lang}/{name}":
                    done.append(_shot(browser, url, lang, page_name, query, name, args))
        browser.close()
    return done


def _shot(browser, url: str, lang: str, page_name: str, query: str, name: str, args) -> Path:
    start = time.monotonic()
    path = shoot(browser, url, lang, page_name, query, args.out / lang / f"{name}.png",
                 args.width, args.height, max(args.max_height, TALL.get(name, 0)))
    with Image.open(path) as img:
        size = img.size
    print(f"{path}  {size[0]}x{size[1]}  "
          f"{path.stat().st_size / 1024:.0f} KiB  {time.monotonic() - start:.1f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running app (default: start one on a free port)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pages", nargs="+", default=[p for p in PAGES if p != "learn"],
                        choices=list(PAGES))
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--langs", nargs="+", default=list(LANGS), choices=list(LANGS))
    parser.add_argument("--only", help="only shots whose 'lang/name' contains this")
    parser.add_argument("--no-scenes", action="store_true", help="presets only, no SCENES")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--max-height", type=int, default=2800)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk",
              file=sys.stderr)
        return 1
    if args.url:
        done = run(args.url.rstrip("/"), args)
    else:
        # Class scenes open classes: in a store of this run's own, not the user's.
        with tempfile.TemporaryDirectory() as data, \
                streamlit_server(env={"LSTM_VIZ_DATA_DIR": data}) as url:
            done = run(url, args)
    total = sum(p.stat().st_size for p in done)
    print(f"{len(done)} images, {total / 2**20:.1f} MiB in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
