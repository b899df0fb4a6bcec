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
    """Give the district the two default frameworks unless it already has them (idempotent).

    Built with a handful of bulk inserts: every new district (and every test) runs this.
    """
    existing = set(
        StandardsFramework.objects.filter(district=district).values_list("name", flat=True)
    )
    lf_name, lf_description, standards = LEARNING_FORWARD
    fft_name, fft_description, fft_domains = DANIELSON
    # Each Learning Forward standard is both the domain and the one component a goal is
    # tagged with; Danielson's domains have their own components.
    plan = []
    if lf_name not in existing:
        plan.append(
            (
                lf_name,
                lf_description,
                [(code, title, [(code, title, text)]) for code, title, text in standards],
            )
        )
    if fft_name not in existing:
        plan.append(
            (
                fft_name,
                fft_description,
                [
                    (code, title, [(c, n, "") for c, n in comps])
                    for code, title, comps in fft_domains
                ],
            )
        )
    if not plan:
        return
    frameworks = StandardsFramework.objects.bulk_create(
        StandardsFramework(district=district, name=name, description=description)
        for name, description, _ in plan
    )
    domain_rows, component_specs = [], []
    for framework, (_, _, domains) in zip(frameworks, plan, strict=True):
        for position, (code, title, components) in enumerate(domains):
            domain_rows.append(
                StandardDomain(framework=framework, code=code, name=title, position=position)
            )
            component_specs.append(components)
    domains = StandardDomain.objects.bulk_create(domain_rows)
    StandardComponent.objects.bulk_create(
        StandardComponent(domain=domain, code=code, name=name, description=text, position=i)
        for domain, components in zip(domains, component_specs, strict=True)
        for i, (code, name, text) in enumerate(components)
    )
