"""A demo register: tools and trends across every lane, with decisions, rationales and scorecards.

Used by `veille demo` and the test fixture. Dates are backdated relative to today so that the radar's
"new / moved since" markers and the veille log have a believable history. Idempotent: tools already in the
register are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config import clock
from ui.services import tools as register
from ui.services.context import ServiceContext
from watcher.store import search


@dataclass(frozen=True)
class DemoTool:
    name: str
    kind: str
    quadrant: str
    description: str
    note: str  # why it entered the register
    path: tuple[tuple[str, str], ...]  # (status, rationale) decisions in order
    scores: dict[str, tuple[int, str, dict]] = field(default_factory=dict)  # criterion -> (score, note, details)
    evidence_keywords: tuple[str, ...] = ()  # link up to 2 stored articles whose title contains one of these


AI, XR, FORMATS, PLATFORMS = register.QUADRANTS

DEMO_TOOLS: tuple[DemoTool, ...] = (
    DemoTool(
        "AI tutor chatbots", "trend", AI,
        "Conversational tutors answering learners' questions on course content, 24/7.",
        "Many vendors launched tutors this quarter; frontline managers ask for it.",
        (("assess", "Worth a structured look: two vendors offer EU hosting."),
         ("trial", "Pilot with 40 order pickers on the safety module, 6 weeks, knowledge test before/after.")),
        {"evidence": (1, "Only learner-satisfaction surveys so far; vendor case studies flagged as vendor claims.",
                      {"ltem_level": 3, "vendor_claims_only": True}),
         "data_protection": (2, "Chat logs kept 30 days, EU hosting, DPA signed.",
                             {"data_collected": "questions, chat logs", "hosting": "EU (Frankfurt)",
                              "retention": "30 days"}),
         "ai_act": (2, "Does not grade or place learners; transparency notice needed (Art. 50), AI-literacy session "
                       "for trainers.", {"annex_iii": [], "transparency": True}),
         "accessibility": (2, "Screen-reader tested; RGAA audit pending.", {}),
         "maturity": (1, "Press calls it a revolution; we see it at the peak of the hype.", {"hype_stage": "peak"})},
        ("AI tutor",),
    ),
    DemoTool(
        "VR safety simulation", "tool", XR,
        "Headset scenarios for forklift and fire-safety drills in warehouses.",
        "Incident rates in two sites justify a look at immersive drills.",
        (("assess", "Independent study reports fewer incidents after VR drills."),
         ("trial", "Trial in the Lyon warehouse with 2 headsets."),
         ("adopted", "Trial passed: incident-free quarter and 92% completion; roll out to 5 sites.")),
        {"evidence": (3, "Peer-reviewed study at transfer level (LTEM 7), not sponsored by the vendor.",
                      {"ltem_level": 7, "vendor_claims_only": False}),
         "cost": (2, "Headsets amortised over 3 years; content reusable across sites.", {}),
         "accessibility": (1, "Seated mode available; motion sickness alternative is a 2D version.", {}),
         "data_protection": (3, "No personal data leaves the headset; scores stored in our LMS.", {}),
         "ai_act": (3, "No AI component.", {"annex_iii": []}),
         "maturity": (2, "Slope of enlightenment for safety drills.", {"hype_stage": "slope"}),
         "fr_compliance": (2, "Fits our Qualiopi evidence; fundable through OPCO as part of safety training.", {})},
        ("VR safety", "forklift"),
    ),
    DemoTool(
        "Spaced-repetition apps", "tool", FORMATS,
        "Mobile apps pushing short quizzes at increasing intervals after a course.",
        "Strong learning-science backing (spacing effect) and fits deskless staff.",
        (("assess", "Spacing effect is well established; check mobile access for store staff."),
         ("adopted", "Adopted after assessment: cheap, evidence-based, works offline on personal phones.")),
        {"evidence": (3, "Meta-analyses on spacing and retrieval practice (independent).",
                      {"ltem_level": 4, "vendor_claims_only": False}),
         "cost": (3, "Per-user licence below our budget threshold.", {}),
         "accessibility": (2, "WCAG 2.1 AA statement provided.", {}),
         "data_protection": (2, "Pseudonymous accounts; EU hosting.", {}),
         "fr_compliance": (1, "Not CPF-eligible on its own.", {})},
        ("Spaced repetition",),
    ),
    DemoTool(
        "Generative-AI authoring", "trend", AI,
        "Drafting course outlines, quizzes and scripts with generative AI inside the authoring tool.",
        "Authoring time is our bottleneck; vendors now bundle genAI features.",
        (("assess", "Measure time saved on 3 modules and review quality with SMEs."),),
        {"evidence": (0, "Time-saving figures come only from vendor marketing.",
                      {"ltem_level": None, "vendor_claims_only": True}),
         "ai_act": (2, "Content generation only, no learner assessment; label AI-generated content.",
                    {"annex_iii": [], "transparency": True}),
         "maturity": (1, "Peak of inflated expectations.", {"hype_stage": "peak"})},
        ("generative AI",),
    ),
    DemoTool(
        "xAPI learning record store", "tool", PLATFORMS,
        "An LRS to collect xAPI statements from VR, apps and the LMS in one place.",
        "Needed to measure transfer across the new formats.",
        (("assess", "Required if we want evidence beyond completions."),
         ("hold", "Parked until the LMS renewal in 2027: the current LMS cannot send xAPI.")),
        {"data_protection": (1, "Fine-grained tracking needs a DPIA and works-council consultation.",
                             {"data_collected": "learning activity statements", "hosting": "to be decided",
                              "retention": "to be decided"}),
         "cost": (1, "Integration cost high until the LMS is replaced.", {})},
        ("xAPI",),
    ),
    DemoTool(
        "Metaverse onboarding campus", "trend", XR,
        "A persistent 3D campus where new hires meet, tour sites and attend welcome sessions.",
        "Raised by the board after a conference keynote.",
        (("assess", "Check evidence and accessibility before any pilot."),
         ("rejected", "No independent evidence of better onboarding outcomes; inaccessible to screen-reader users; "
                      "costly avatars; employees preferred site visits. Revisit only with new evidence.")),
        {"evidence": (0, "Vendor claims only; no study beyond satisfaction.",
                      {"ltem_level": 3, "vendor_claims_only": True}),
         "accessibility": (0, "No keyboard or screen-reader support: knock-out.", {}),
         "cost": (0, "Licence plus 3D content production far above budget.", {}),
         "maturity": (0, "Trough of disillusionment: most corporate campuses closed.", {"hype_stage": "trough"})},
        ("metaverse",),
    ),
    DemoTool(
        "Adaptive learning paths", "tool", AI,
        "Paths that skip what a learner already masters, based on a diagnostic quiz.",
        "Could shorten mandatory compliance training.",
        (),
        {"ai_act": (1, "Level assessment that decides the path may fall under Annex III (education/vocational "
                       "training): high-risk duties to check.", {"annex_iii": ["level assessment"]})},
        ("adaptive",),
    ),
    DemoTool(
        "AI role-play for managers", "tool", AI,
        "Voice or chat simulations of difficult conversations with feedback on the manager's approach.",
        "Managers profile scores it high; vendors offer French-language versions.",
        (("assess", "Promising for feedback skills; check whether feedback is used for appraisal."),),
        {"ai_act": (2, "Practice only, not used for appraisal or promotion; transparency notice.",
                    {"annex_iii": [], "transparency": True}),
         "fr_compliance": (2, "Can be part of a certified management course funded by OPCO.", {})},
        ("role-play",),
    ),
    DemoTool(
        "Proctoring with webcam AI", "tool", PLATFORMS,
        "Automated webcam surveillance during online certification exams.",
        "Requested for remote certification exams.",
        (("hold", "Annex III high-risk use (proctoring) and GDPR concerns; wait for CNIL guidance."),),
        {"ai_act": (0, "Proctoring of learners: Annex III high-risk without conformity measures.",
                    {"annex_iii": ["proctoring"]}),
         "data_protection": (0, "Biometric data; no lawful basis found.", {})},
        ("proctoring",),
    ),
)


def seed_demo_tools(ctx: ServiceContext, *, now: datetime | None = None) -> int:
    """Create the demo register (editor context); return the number of tools created."""
    now = now or clock.now()
    existing = {n.lower() for n in register.tool_names(ctx)}
    created = 0
    for index, demo in enumerate(DEMO_TOOLS):
        if demo.name.lower() in existing:
            continue
        # each tool enters the register 16 weeks ago or later, then one decision every ~3 weeks
        start = now - timedelta(weeks=16 - index)
        register.add_tool(ctx, demo.name, kind=demo.kind, quadrant=demo.quadrant, description=demo.description,
                          note=demo.note, at=start.isoformat())
        for i, (criterion, (score, note, details)) in enumerate(demo.scores.items()):
            register.set_score(ctx, demo.name, criterion, score, note, details,
                               at=(start + timedelta(days=2, hours=i)).isoformat())
        for step, (status, rationale) in enumerate(demo.path, start=1):
            when = min(now - timedelta(days=1), start + timedelta(weeks=3 * step))
            register.set_status(ctx, demo.name, status, rationale, at=when.isoformat())
        _link_evidence(ctx, demo, start + timedelta(days=1))
        created += 1
    return created


def _link_evidence(ctx: ServiceContext, demo: DemoTool, at: datetime) -> None:
    for keyword in demo.evidence_keywords:
        found = search.first_matches(ctx.store, " ".join(f'"{w}"' for w in keyword.split()), 2)
        for article_id in found:
            register.add_evidence(ctx, demo.name, article_id, f"Mentions {keyword}", at=at.isoformat())
        if found:
            return
