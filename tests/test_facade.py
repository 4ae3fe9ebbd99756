"""The facade (veille.Veille): the pipeline and the boards through one object, on a real SQLite file."""

from __future__ import annotations

import pytest

from tests.plugins.app import PROFILES_TOML


@pytest.mark.slow
def test_crawl_score_stories_decide_through_the_facade(tmp_config, feed_server):
    from veille import make_veille

    feed_server.add("/feed.xml", b"""<?xml version="1.0"?><rss version="2.0"><channel><title>L&amp;D</title>
<item><title>VR safety drills for warehouse staff</title><link>http://example.org/vr</link>
<description>Forklift safety training in VR headsets for warehouse operators.</description>
<pubDate>Mon, 01 Dec 2026 08:00:00 GMT</pubDate></item>
<item><title>Qualiopi audit checklist</title><link>http://example.org/qualiopi</link>
<description>What French training providers must show at their Qualiopi audit.</description>
<pubDate>Mon, 01 Dec 2026 09:00:00 GMT</pubDate></item></channel></rss>""")
    path, _settings = tmp_config(PROFILES_TOML + f'''
[crawler]
allow_private_networks = true
[[feeds]]
url = "{feed_server.url("/feed.xml")}"
''')
    with make_veille(path, user="claire") as v:
        crawled = v.crawl()
        assert crawled.new_articles == 2, crawled.as_dict()
        scored = v.score()
        assert scored.embedded == 2 and scored.scored == 6
        from ui.services.records import DigestFilter

        page = v.stories(DigestFilter(profile="frontline"))
        assert page.stories[0].title == "VR safety drills for warehouse staff"
        first = page.stories[0].article_id
        v.feedback(first, "compliance", True)
        assert v.stories(DigestFilter(profile="compliance")).stories[0].article_id == first
        assert v.add_tool("SafeSim", note="seen in the digest").status == "signal"
        card = v.decide("SafeSim", "assess", "worth a pilot in one warehouse")
        assert card.status == "assess" and [t.name for t in v.tools("assess")] == ["SafeSim"]
