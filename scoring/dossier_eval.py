"""How well the dossier reads a labelled set (tests/data/dossier*: feeds.json, tools.json, articles.jsonl), without
a crawl: the same reading the dossier service applies (scoring.dossier.about, scoring.stance.read combined with
the learned reading of the default model, scoring.stance_model, the timeline and its stage), on the set's own titles
and summaries. `--rules` measures the rules alone (no model loaded).

    python -m scoring.dossier_eval tests/data/dossier tests/data/dossier2 tests/data/dossier3 [--articles] [--rules]

prints, per set: stance accuracy, critical articles found (recall) and critical precision, vendors' quantified
claims quoted, and the stage read on the hype tool (the tool whose last third of articles is the most critical).
`--articles` lists every article whose stance is misread, with the cues that decided it.
tests/test_dossier_set.py measures the same figures through a real crawl and asserts the bars.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from config import clock
from config.settings import ScheduleSettings
from config.topics import default_topics
from scoring import dossier as rules
from scoring import stance_model
from scoring.stance import read


@dataclass
class Figures:
    name: str
    stance_right: int = 0
    stance_all: int = 0
    critical_all: int = 0  # articles labelled critical
    critical_read: int = 0  # articles read critical
    critical_hit: int = 0  # both
    claims_all: int = 0  # vendors' labelled claims
    claims_quoted: int = 0
    hype_tool: str = ""
    hype_stage: str = ""
    misread: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0
        return {"set": self.name, "stance": ratio(self.stance_right, self.stance_all),
                "critical_found": ratio(self.critical_hit, self.critical_all),
                "critical_precision": ratio(self.critical_hit, self.critical_read),
                "vendor_claims": ratio(self.claims_quoted, self.claims_all),
                "counts": {"stance": self.stance_all, "critical": self.critical_all,
                           "read_critical": self.critical_read, "vendor_claims": self.claims_all},
                "hype_tool": self.hype_tool, "hype_stage": self.hype_stage}


def _load(folder: Path):
    feeds = {f["key"]: f for f in json.loads((folder / "feeds.json").read_text(encoding="utf-8"))}
    tools = json.loads((folder / "tools.json").read_text(encoding="utf-8"))
    articles = [json.loads(line) for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return feeds, tools, articles


def _quoted(claim: str, found: tuple[str, ...]) -> bool:
    """The test's rule: a labelled claim is quoted when a quote holds it, or it holds a quote half its length."""
    return any(claim in c or (c in claim and len(c) >= 0.5 * len(claim)) for c in found)


class Learned:
    """The learned reading of the default model with its encoder (loaded on first use), or None: rules alone."""

    def __init__(self, model: str = "") -> None:
        from scoring.model import DEFAULT_MODEL

        self.model = model or DEFAULT_MODEL
        self.reading = stance_model.load(self.model)
        self._cache: dict[tuple[str, str, bool], object] = {}

    @property
    def critical_at(self) -> float | None:
        return self.reading.critical_at if self.reading else None

    def probabilities(self, title: str, summary: str, vendor: bool):
        if self.reading is None:
            return None
        key = (title, summary, vendor)
        if key not in self._cache:
            from scoring.model import load_encoder

            vector = load_encoder(self.model).encode_passages([stance_model.article_text(title, summary, self.model)])
            self._cache[key] = self.reading.probabilities(vector, [vendor])[0]
        return self._cache[key]


def measure(folder: Path, learned: Learned | None = None) -> Figures:
    feeds, tools, articles = _load(folder)
    out = Figures(folder.name)
    keywords = [k for t in default_topics() for k in t.keywords]
    zone = clock.zone(ScheduleSettings().timezone)
    until = datetime.fromisoformat(max(a["published"] for a in articles) + "T18:00:00+00:00")
    stages: dict[str, str] = {}
    for tool in tools:
        pattern = rules.names_pattern((tool["name"], *tool.get("aliases", [])))
        context = rules.context_words(tool.get("description", ""), keywords)
        dated = []
        for a in articles:
            if not rules.about(a["title"], a["summary"], pattern, context):
                continue
            vendor = feeds[a["feed"]]["kind"] == "vendor"
            reading = read(a["title"], a["summary"], vendor=vendor)
            probabilities = learned.probabilities(a["title"], a["summary"], vendor) if learned else None
            decision = stance_model.combine(reading.stance, probabilities,
                                            critical_at=learned.critical_at if learned else None)
            dated.append((datetime.fromisoformat(a["published"] + "T09:00:00").replace(tzinfo=UTC),
                          decision.stance))
            if a.get("tool") != tool["name"]:
                continue
            gold = a["stance"]
            out.stance_all += 1
            out.stance_right += decision.stance == gold
            out.critical_all += gold == "critical"
            out.critical_read += decision.stance == "critical"
            out.critical_hit += gold == decision.stance == "critical"
            if vendor:
                for claim in a.get("claims", []):
                    out.claims_all += 1
                    out.claims_quoted += _quoted(claim, reading.claims)
            if decision.stance != gold:
                p = f" learned p={decision.learned}" if decision.learned is not None else ""
                out.misread.append(f"{a['id']} {gold}->{decision.stance} {list(reading.cues)}{p} | {a['title']}")
        stages[tool["name"]] = rules.stage(rules.timeline(dated, zone, until)).stage

    def late_critical(name: str) -> float:
        mine = sorted((a for a in articles if a.get("tool") == name), key=lambda a: a["published"])
        tail = mine[len(mine) * 2 // 3:]
        return sum(a["stance"] == "critical" for a in tail) / max(1, len(tail))
    out.hype_tool = max((t["name"] for t in tools), key=late_critical)
    out.hype_stage = stages[out.hype_tool]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.dossier_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="labelled sets (feeds.json, tools.json, articles.jsonl)")
    parser.add_argument("--articles", action="store_true", help="list the misread articles")
    parser.add_argument("--rules", action="store_true", help="the rules alone, without the learned reading")
    args = parser.parse_args(argv)
    for folder in args.folders:
        missing = [n for n in ("feeds.json", "tools.json", "articles.jsonl") if not (folder / n).is_file()]
        if missing:
            print(f"{folder}: not a labelled set ({'no such folder' if not folder.is_dir() else 'no ' + missing[0]})",
                  file=sys.stderr)
            return 2
    learned = None if args.rules else Learned()
    if learned is not None and learned.reading is None:
        print(f"no learned stance reading for the model {learned.model!r}: the rules alone", file=sys.stderr)
    for folder in args.folders:
        figures = measure(folder, learned)
        print(json.dumps(figures.as_dict(), ensure_ascii=False))
        if args.articles:
            for line in figures.misread:
                print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
