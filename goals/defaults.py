"""The standards frameworks every district starts with; districts edit their own copies."""

from __future__ import annotations

from django.db import transaction

from .models import StandardComponent, StandardDomain, StandardsFramework

LEARNING_FORWARD = (
    "Standards for Professional Learning (Learning Forward, 2011)",
    "Seven standards for professional learning that increases educator effectiveness "
    "and results for all students.",
    [
        (
            "LC",
            "Learning Communities",
            "Learning in communities committed to continuous "
            "improvement, collective responsibility and goal alignment.",
        ),
        (
            "LE",
            "Leadership",
            "Leaders who develop capacity, advocate for and create support "
            "systems for professional learning.",
        ),
        (
            "RE",
            "Resources",
            "Prioritizing, monitoring and coordinating resources for educator learning.",
        ),
        (
            "DA",
            "Data",
            "Using student, educator and system data to plan, assess and evaluate "
            "professional learning.",
        ),
        (
            "LD",
            "Learning Designs",
            "Integrating theories, research and models of human "
            "learning to achieve the intended outcomes.",
        ),
        (
            "IM",
            "Implementation",
            "Applying research on change and sustaining support for "
            "implementing professional learning over time.",
        ),
        (
            "OU",
            "Outcomes",
            "Aligning outcomes with educator performance and student curriculum standards.",
        ),
    ],
)

DANIELSON = (
    "Framework for Teaching (Danielson)",
    "Four domains of teaching responsibility, each divided into components.",
    [
        (
            "1",
            "Planning and Preparation",
            [
                ("1a", "Demonstrating Knowledge of Content and Pedagogy"),
                ("1b", "Demonstrating Knowledge of Students"),
                ("1c", "Setting Instructional Outcomes"),
                ("1d", "Demonstrating Knowledge of Resources"),
                ("1e", "Designing Coherent Instruction"),
                ("1f", "Designing Student Assessments"),
            ],
        ),
        (
            "2",
            "Classroom Environment",
            [
                ("2a", "Creating an Environment of Respect and Rapport"),
                ("2b", "Establishing a Culture for Learning"),
                ("2c", "Managing Classroom Procedures"),
                ("2d", "Managing Student Behavior"),
                ("2e", "Organizing Physical Space"),
            ],
        ),
        (
            "3",
            "Instruction",
            [
                ("3a", "Communicating with Students"),
                ("3b", "Using Questioning and Discussion Techniques"),
                ("3c", "Engaging Students in Learning"),
                ("3d", "Using Assessment in Instruction"),
                ("3e", "Demonstrating Flexibility and Responsiveness"),
            ],
        ),
        (
            "4",
            "Professional Responsibilities",
            [
                ("4a", "Reflecting on Teaching"),
                ("4b", "Maintaining Accurate Records"),
                ("4c", "Communicating with Families"),
                ("4d", "Participating in the Professional Community"),
                ("4e", "Growing and Developing Professionally"),
                ("4f", "Showing Professionalism"),
            ],
        ),
    ],
)


@transaction.atomic
def frameworks_ensure_defaults(district) -> None:
    """Give the district the two default frameworks unless it already has them (idempotent)."""
    name, description, standards = LEARNING_FORWARD
    framework, created = StandardsFramework.objects.get_or_create(
        district=district, name=name, defaults={"description": description}
    )
    if created:
        for position, (code, title, text) in enumerate(standards):
            domain = StandardDomain.objects.create(
                framework=framework, code=code, name=title, position=position
            )
            # Each standard is both the domain and the one component a goal is tagged with.
            StandardComponent.objects.create(
                domain=domain, code=code, name=title, description=text, position=0
            )
    name, description, domains = DANIELSON
    framework, created = StandardsFramework.objects.get_or_create(
        district=district, name=name, defaults={"description": description}
    )
    if created:
        for position, (code, title, components) in enumerate(domains):
            domain = StandardDomain.objects.create(
                framework=framework, code=code, name=title, position=position
            )
            StandardComponent.objects.bulk_create(
                StandardComponent(domain=domain, code=c_code, name=c_name, position=i)
                for i, (c_code, c_name) in enumerate(components)
            )
