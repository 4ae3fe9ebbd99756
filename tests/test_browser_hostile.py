"""Hostile feed and user text in a real browser: a real local server serves a feed whose titles, feed title,
author and links carry Markdown and HTML aimed at a canary path of that same server; the real pipeline
crawls and scores it (`veille update`), the CLI adds a tool whose name, description, note and rationale are
hostile too, and headless Chromium loads every page of `veille ui`. Nothing may reach the canary (server log
and the browser's own request events), no link or image may point at it, and the text must read as written.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, VEILLE, _settle, running_ui
from ui.safe import WJ

pytestmark = pytest.mark.slow

NOW = "2025-03-05T09:00:00+00:00"  # the one clock of every process started here (VEILLE_NOW)
PAGES = ("", "register", "radar", "trends", "veille_log", "sources", "profiles")


def _hostile(canary: str, base: str) -> dict:
    """Every hostile string, named; `canary` is the path prefix nothing may request."""
    return {
        "title1": f"New! ![x]({canary}/title1.gif) VR safety training for warehouse staff",
        "title2": f"\\[x\\]({canary}/title2) <img src={canary}/title2.gif> **bold** # head VR warehouse pilot",
        "title3": (f":red-badge[x] $x^2$ :material/home: :smile: {canary}/bare3 www.canary.example "
                   "a@canary.example VR safety for order pickers"),
        "feed": f"Feed ![f]({canary}/feed.gif) :blue-badge[EdTech] **Weekly**",
        "author": f"Eve ![a]({canary}/author.gif)",
        "link1": f"{base}/articles/one) ![l]({canary}/link1.gif) (x",
        "link2": f"{base}/articles/two \"quoted\" 'x' <b>",
        "profile": f"Ops ![p]({canary}/profile.gif) :red[x]",
        "interest": f"VR safety training for warehouse staff ![w]({canary}/why.gif)",
        "topic": f"VR ![tl]({canary}/topic.gif) :red[t]",
        "tool": f"Tool ![t]({canary}/tool.gif) $x$ :material/home:",
        "description": f"Desc ![d]({canary}/desc.gif)\n# head\n- item <img src={canary}/desc2.gif>",
        "note": f"Note [n]({canary}/note) **n**",
        "rationale": f"Why ![r]({canary}/rationale.gif) :red[r] <img src={canary}/rationale2.gif>",
        "evidence": f"Shows [e]({canary}/evidence) ![e]({canary}/evidence.gif)",
        "story_param": f"![s]({canary}/story.gif) <img src={canary}/story2.gif>",
        "tool_param": f"![q]({canary}/toolq.gif)",
    }


def _feed(h: dict) -> str:
    def item(guid: str, title: str, link: str, day: int, text: str) -> str:
        # the title is escaped twice: the parser decodes it once as HTML, so `<img …>` reaches the app as text
        return (f"<item><guid>{guid}</guid><title>{escape(escape(title))}</title><link>{escape(link)}</link>"
                f"<dc:creator>{escape(h['author'])}</dc:creator>"
                f"<description>{text}</description>"
                f"<pubDate>{day:02d} Mar 2025 08:00:00 GMT</pubDate></item>")

    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(escape(h['feed']))}</title><link>https://news.example/</link>"
            + item("g1", h["title1"], h["link1"], 3, "A pilot of VR safety training for warehouse staff.")
            + item("g2", h["title2"], h["link2"], 2, "Order pickers rehearse forklift incidents in headsets.")
            + item("g3", h["title3"], "javascript:alert(1)", 1, "Compliance teams ask what immersive drills cost.")
            + "</channel></rss>")


def _run(config, *args, env) -> subprocess.CompletedProcess:
    done = subprocess.run([VEILLE, "--config", str(config), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _visible(page) -> str:
    """The page's text as the reader sees it (word joiners are invisible), then the values of its fields."""
    fields = page.evaluate("() => [...document.querySelectorAll('input, textarea')].map(e => e.value)")
    return "\n".join([page.locator("body").inner_text(), *fields]).replace(WJ, "")


def test_hostile_text_stays_text_on_every_page(tmp_path, feed_server):
    from playwright.sync_api import sync_playwright

    canary = feed_server.url("/canary")
    h = _hostile(canary, feed_server.base_url)
    feed_server.add("/feed.xml", _feed(h))
    feed_server.add_handler("/canary", lambda r: r._send_simple(200, b"GIF89a"))  # never expected
    config = tmp_path / "veille.toml"
    config.write_text(
        '[database]\npath = "veille.db"\n[crawler]\nallow_private_networks = true\n'
        '[scoring]\ncluster_threshold = 0.99\n'  # one card per title: their URL-heavy titles look alike
        f'[[feeds]]\nurl = {json.dumps(feed_server.url("/feed.xml"))}\n'
        f'[[topics]]\nkey = "vr"\nlabel = {json.dumps(h["topic"])}\nkeywords = ["vr", "warehouse"]\n'
        'quadrant = "Immersive (VR/AR/metaverse)"\n'
        f'[[profiles]]\nkey = "ops"\nname = {json.dumps(h["profile"])}\n'
        f'interests = [{json.dumps(h["interest"])}]\n',
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLE_NOW": NOW}
    _run(config, "update", env=env)
    exported = [json.loads(line) for line in _run(config, "export", "--format", "jsonl", env=env).stdout.splitlines()]
    by_title = {a["title"]: a for a in exported}
    assert set(by_title) == {h["title1"], h["title2"], h["title3"]}  # stored as written, tags included
    _run(config, "tools", "add", h["tool"], "--note", h["note"], "--description", h["description"],
         "--quadrant", "Immersive (VR/AR/metaverse)", "--by", "Claire", env=env)
    _run(config, "tools", "set", h["tool"], "--status", "assess", "--note", h["rationale"], "--by", "Claire",
         env=env)
    _run(config, "tools", "link", h["tool"], by_title[h["title1"]]["id"], "--note", h["evidence"], "--by", "Claire",
         env=env)

    requested: list[str] = []
    seen: dict[str, str] = {}
    hrefs: dict[str, list[str]] = {}
    with running_ui(config, tmp_path / "ui.log", env) as url:
        story_id = by_title[h["title1"]]["id"]
        visits = [(name or "digest", f"{url}/{name}") for name in PAGES] + [
            ("story", f"{url}/?story={urllib.parse.quote(story_id)}"),
            ("story_hostile", f"{url}/?story={urllib.parse.quote(h['story_param'])}"),
            ("tool", f"{url}/register?tool={urllib.parse.quote(h['tool'].upper())}"),
            ("tool_hostile", f"{url}/register?tool={urllib.parse.quote(h['tool_param'])}"),
        ]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            page.on("request", lambda request: requested.append(request.url))
            for name, address in visits:
                page.goto(address)
                page.locator("h1").first.wait_for(timeout=30_000)
                _settle(page)
                if name == "tool":  # the evidence tab holds the linked article and its note
                    page.get_by_role("tab", name="Evidence articles (1)").click(timeout=10_000)
                    _settle(page)
                pointing = page.evaluate(
                    """(canary) => [...document.querySelectorAll('a[href], img[src], [style*="url("]')]
                        .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('style'))
                        .filter(v => v.includes(canary) && !v.includes('/articles/'))""",
                    canary,
                )
                assert pointing == [], (name, pointing)
                links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
                                      )
                assert not [a for a in links if a.lower().startswith(("javascript:", "data:"))], (name, links)
                hrefs[name] = links
                seen[name] = _visible(page)
                assert page.locator('[data-testid="stException"]').count() == 0, (name, seen[name][:2000])
                assert "Traceback" not in seen[name], name
            browser.close()

    # nothing reached the canary: neither the server's log nor the browser's own requests
    assert not [r["path"] for r in feed_server.all_requests if r["path"].startswith("/canary")]
    assert requested and not [u for u in requested if u.startswith(canary)]

    # the text reads as written: titles, feed name, topic, why, profile, tool, description lines, rationale
    digest = seen["digest"]
    for key in ("title1", "title2", "title3", "feed", "topic"):
        assert h[key] in digest, (key, digest[:3000])
    assert f"Why: {h['interest']}" in digest
    assert h["profile"] in digest
    story = seen["story"]
    assert "The story from your email" in story and h["title1"] in story
    assert f"Could not do it: article “{h['story_param']}”: not found" in seen["story_hostile"]
    register = seen["tool"]
    for text in (h["tool"], *h["description"].splitlines(), f"“{h['rationale']}”", h["title1"], h["feed"],
                 h["evidence"]):
        assert text in register, (text, register[:4000])
    assert h["tool"] in seen["register"] and h["tool"] in seen["radar"]
    assert h["title1"] in seen["profiles"] and h["profile"] in seen["profiles"]
    assert h["feed"] in seen["sources"]
    # article links stay whole: the target of the hostile links is percent-encoded, never cut at `)` or a space
    assert [by_title[h[t]]["url"] for t in ("title1", "title2")] == [h["link1"], h["link2"]]  # as the feed gave them
    targets = [a for a in hrefs["digest"] if "/articles/" in a]
    assert [urllib.parse.unquote(a) for a in targets] == [h["link1"], h["link2"]]  # whole: not cut at `)`
    assert not [a for a in targets if set(a) & set(" ()<>\"'\\`")]
