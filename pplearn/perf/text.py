"""Plausible words for generated rows: drawn from small pools, so generation stays fast."""

from __future__ import annotations

import random

from faker import Faker

_WORD_TEXT = (
    "students practice feedback reading writing fractions discussion evidence strategy "
    "small groups lesson assessment vocabulary inquiry classroom routine exit tickets "
    "model thinking aloud partner talk data growth reflection science lab argument "
    "questioning wait time scaffold rubric goal learning target success criteria math "
    "problem solving number sense fluency phonics comprehension engagement belonging "
    "checks for understanding conferring mentor text anchor chart station rotation"
)
WORDS = _WORD_TEXT.split()
TOPICS = (
    "formative checks in math",
    "academic discourse in science",
    "guided reading groups",
    "feedback students act on",
    "writing conferences",
    "number talks",
    "vocabulary routines for English learners",
    "student self-assessment",
    "project-based learning units",
    "restorative classroom circles",
    "inquiry labs",
    "retrieval practice",
    "culturally responsive read-alouds",
    "co-teaching for inclusion",
    "questioning that deepens thinking",
    "data talks with students",
)
VERBS = ("Use", "Strengthen", "Build", "Try", "Deepen", "Plan", "Grow", "Design")
SYSTEM_GOALS = (
    "Every student reads at grade level by grade 3",
    "Raise mathematics proficiency in grades 6-8",
    "Belonging and engagement for every learner",
    "College and career readiness for all graduates",
)
TEAM_NAMES = ("Literacy PLC", "Math PLC", "Grade-level team")


class TextPool:
    """Sentences, names and titles from a seeded source: the same seed, the same words."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed * 7 + 1)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.first = [fake.first_name() for _ in range(400)]
        self.last = [fake.last_name() for _ in range(600)]
        self.places = [fake.city() for _ in range(300)]
        self.sentences = {n: [self._sentence(n) for _ in range(64)] for n in range(4, 45)}
        self.reflections = [self._sentence(self.rng.randint(70, 130)) for _ in range(200)]

    def _sentence(self, words: int) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(words))
        return text[0].upper() + text[1:] + "."

    def sentence(self, words: int) -> str:
        return self.rng.choice(self.sentences[max(4, min(44, words))])

    def reflection(self) -> str:
        return self.rng.choice(self.reflections)

    def person_name(self) -> str:
        return f"{self.rng.choice(self.first)} {self.rng.choice(self.last)}"

    def place(self) -> str:
        return self.rng.choice(self.places)

    def school_names(self, count: int) -> list[str]:
        kinds = ("Elementary", "Elementary", "Middle School", "High School")
        names = []
        for n in range(count):
            names.append(f"{self.places[n % len(self.places)]} {kinds[n % 4]} {n + 1}")
        return names

    def goal_title(self) -> str:
        return f"{self.rng.choice(VERBS)} {self.rng.choice(TOPICS)}"

    def question(self) -> str:
        return f"How might {self.rng.choice(TOPICS)} help my students grow?"

    def resource_title(self) -> str:
        return f"{self.rng.choice(TOPICS).capitalize()}: a practical guide"

    def system_goal_titles(self) -> list[str]:
        return list(SYSTEM_GOALS)

    def team_name(self, n: int) -> str:
        return TEAM_NAMES[n % len(TEAM_NAMES)]
