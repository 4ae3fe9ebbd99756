"""Screenshots of every page of a running veille app, at desktop and phone widths, in headless Chromium.

Used for the before/after record of the boards (docs/screenshots/): point it at an app (any version, e.g. the
demo of an older commit) and it visits each page listed in the sidebar.

    python scripts/screenshots.py --url http://127.0.0.1:8501 --out docs/screenshots/after --prefix en
    VEILLE_SHOT_PASSWORD=... python scripts/screenshots.py --url ... --user editor --out ... --prefix fr

Each page gives `<prefix>-<n>-<page>-desktop.jpg` (1440 px wide, the whole page) and `...-phone.jpg`
(390 × 844, the whole page). A page showing a Streamlit exception is named on stderr and the exit code is 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}


def settle(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => { const w = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " return !w || !/Running|En cours/.test(w.innerText); }", timeout=60_000)
    page.wait_for_timeout(800)


def full_height(page) -> int:
    return int(page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"))


def sign_in(page, user: str, password: str) -> None:
    fields = page.locator("input[type=password]")
    if not fields.count():
        return
    page.locator("input[type=text]").first.fill(user)
    fields.first.fill(password)
    page.locator("[data-testid=stFormSubmitButton] button, button[kind=secondaryFormSubmit]").first.click()
    page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)


def slug(text: str) -> str:
    """'/sélection' -> 'selection' (a page's address, accents folded)."""
    folded = unicodedata.normalize("NFKD", unquote(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the running app")
    parser.add_argument("--out", required=True, type=Path, help="folder for the JPEG files")
    parser.add_argument("--prefix", default="en", help="file name prefix, e.g. en or fr")
    parser.add_argument("--user", default="", help="sign in as this user (password in $VEILLE_SHOT_PASSWORD)")
    parser.add_argument("--quality", type=int, default=60, help="JPEG quality (default 60)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport=DESKTOP)
        page.goto(args.url)
        settle(page)
        if args.user:
            sign_in(page, args.user, os.environ.get("VEILLE_SHOT_PASSWORD", ""))
            settle(page)
        nav = page.get_by_test_id("stSidebarNav")
        nav.wait_for(timeout=60_000)
        labels = [link.inner_text().strip().splitlines()[-1] for link in nav.get_by_role("link").all()]  # no icon
        for number, label in enumerate(labels, start=1):
            page.set_viewport_size(DESKTOP)
            settle(page)
            page.get_by_test_id("stSidebarNav").get_by_role("link").nth(number - 1).click()
            settle(page)
            if page.locator('[data-testid="stException"]').count():
                failed.append(label)
            name = f"{args.prefix}-{number}-{slug(urlsplit(page.url).path) or slug(label)}"
            page.set_viewport_size({"width": DESKTOP["width"], "height": max(900, min(full_height(page) + 40, 9000))})
            page.wait_for_timeout(400)
            page.screenshot(path=str(args.out / f"{name}-desktop.jpg"), full_page=True, type="jpeg",
                            quality=args.quality)
            page.set_viewport_size(PHONE)
            settle(page)
            page.set_viewport_size({"width": PHONE["width"], "height": max(PHONE["height"],
                                                                         min(full_height(page) + 40, 12000))})
            page.wait_for_timeout(400)
            page.screenshot(path=str(args.out / f"{name}-phone.jpg"), full_page=True, type="jpeg",
                            quality=args.quality)
            print(f"{name}: desktop and phone", flush=True)
        browser.close()
    for label in failed:
        print(f"screenshots: the page {label!r} shows an exception", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
