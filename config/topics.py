"""The built-in topic set, used when a config file has no `[[topics]]`."""

from config.settings import TopicSettings

DEFAULT_TOPICS: tuple[TopicSettings, ...] = (
    TopicSettings(
        key="ai",
        label="AI in learning",
        quadrant="AI & automation",
        description=(
            "Artificial intelligence applied to workplace learning: AI tutors and chatbots, copilots for "
            "learners and trainers, generative-AI course authoring, adaptive learning, AI coaching and "
            "role-play (intelligence artificielle, IA générative, tuteur IA)."
        ),
        keywords=(
            "ai tutor", "ai coach", "chatbot", "copilot", "generative ai", "genai", "llm", "chatgpt",
            "adaptive learning", "intelligence artificielle", "ia générative", "tuteur ia", "agent ia",
            "assistant ia", "apprentissage adaptatif",
        ),
    ),
    TopicSettings(
        key="microlearning",
        label="Microlearning & mobile",
        quadrant="Formats & pedagogy",
        description=(
            "Short learning units on smartphones for busy and deskless workers: microlearning, spaced "
            "repetition, nudges, quizzes, mobile learning in the flow of work (microapprentissage, "
            "répétition espacée, formation mobile)."
        ),
        keywords=(
            "microlearning", "micro-learning", "spaced repetition", "mobile learning", "nudge", "bite-sized",
            "microapprentissage", "micro-apprentissage", "répétition espacée", "capsule", "formation mobile",
            "apprentissage mobile",
        ),
    ),
    TopicSettings(
        key="xr",
        label="VR / AR / XR",
        quadrant="Immersive (VR/AR/metaverse)",
        description=(
            "Virtual, augmented and mixed reality for training: VR safety simulations, soft-skills VR "
            "role-plays, AR work instructions, headsets in training (réalité virtuelle, réalité augmentée, "
            "casque VR, simulation immersive)."
        ),
        keywords=(
            "virtual reality", "augmented reality", "mixed reality", "vr training", "vr ", "ar ", "xr",
            "headset", "immersive", "réalité virtuelle", "réalité augmentée", "casque", "immersif",
            "immersive",
        ),
    ),
    TopicSettings(
        key="metaverse",
        label="Metaverse",
        quadrant="Immersive (VR/AR/metaverse)",
        description=(
            "Virtual worlds and persistent 3D spaces used for onboarding, events, collaboration and "
            "digital twins in training (métavers, mondes virtuels, jumeau numérique)."
        ),
        keywords=("metaverse", "virtual world", "digital twin", "métavers", "metavers", "monde virtuel",
                  "jumeau numérique", "avatar"),
    ),
    TopicSettings(
        key="regulation",
        label="Regulation & compliance",
        quadrant="Platforms, data & compliance",
        description=(
            "Rules that shape training: the EU AI Act (AI literacy, high-risk uses in education and "
            "vocational training), GDPR (RGPD, CNIL), Qualiopi, CPF and OPCO funding, French vocational "
            "training law, accessibility (RGAA, WCAG), mandatory compliance training."
        ),
        keywords=(
            "ai act", "gdpr", "rgpd", "cnil", "qualiopi", "cpf", "opco", "compliance", "conformité",
            "regulation", "réglementation", "règlement", "décret", "loi", "france compétences", "rgaa",
            "wcag", "accessibility", "accessibilité", "sapin ii", "mandatory training", "formation obligatoire",
        ),
    ),
    TopicSettings(
        key="platforms",
        label="Platforms (LMS, LXP, authoring)",
        quadrant="Platforms, data & compliance",
        description=(
            "Learning platforms and their market: LMS, LXP, skills platforms, authoring tools, xAPI and "
            "learning record stores, vendor launches and acquisitions (plateforme de formation, outil auteur)."
        ),
        keywords=(
            "lms", "lxp", "learning management system", "learning experience platform", "authoring tool",
            "xapi", "scorm", "lrs", "skills platform", "plateforme", "outil auteur", "acquisition",
        ),
    ),
    TopicSettings(
        key="learning-science",
        label="Learning science & evidence",
        quadrant="Formats & pedagogy",
        description=(
            "Evidence on how adults learn and whether training works: retrieval practice, spacing, "
            "cognitive load, transfer, evaluation with Kirkpatrick or LTEM, meta-analyses and myths such "
            "as learning styles (sciences cognitives, évaluation de la formation, preuves)."
        ),
        keywords=(
            "retrieval practice", "spacing effect", "cognitive load", "meta-analysis", "evidence",
            "kirkpatrick", "ltem", "learning styles", "transfer", "sciences cognitives", "méta-analyse",
            "neurosciences", "évaluation", "mémorisation",
        ),
    ),
)
