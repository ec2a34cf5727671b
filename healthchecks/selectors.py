"""Reading the risk register: the rows a person sees with their filters and order, the heatmap,
and what the board view summarises.

Everything here starts from `Risk.objects.visible_to(user)`, so a trust-only risk never reaches
an academy role's list, count, heatmap or export. Each function makes a fixed number of queries
whatever the number of risks.
"""

import datetime

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from .models import Category, Risk, RiskEvent, rag_for
from .models.risks import IMPACT, LIKELIHOOD, RAG

RISK_ROWS = ("academy__hub", "owner", "rule")
RAG_ORDER = Case(
    When(rag=RAG.RED, then=Value(0)),
    When(rag=RAG.AMBER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
OPEN_FIRST = Case(When(status=Risk.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())

# ?sort= on the register: what the person chooses, and the order it gives.
SORTS = {
    "score": ("Score, highest first", ["-score", "next_review_on", "pk"]),
    "next_review": ("Next review, soonest first", ["next_review_on", "-score", "pk"]),
    # The trust's own risks (no academy) first, on every database.
    "academy": ("Academy", [F("academy__name").asc(nulls_first=True), "-score", "pk"]),
    "reference": ("Reference", ["pk"]),
    "updated": ("Last changed, latest first", ["-updated_at", "pk"]),
}
DEFAULT_SORT = "score"
# Placeholders for a filter that matches nothing: "the trust as a whole" (no academy).
TRUST_LEVEL = "trust"
ALL_STATUSES = "all"


def register(user):
    """The risks the person sees, with what a row of the register shows."""
    return Risk.objects.visible_to(user).select_related(*RISK_ROWS)


def apply_filters(risks, filters, today):
    """Narrow `risks` by the register's cleaned filters (absent or empty ones are ignored)."""
    academy = filters.get("academy")
    if academy == TRUST_LEVEL:
        risks = risks.filter(academy__isnull=True)
    elif academy:
        risks = risks.filter(academy=academy)
    if filters.get("hub"):
        risks = risks.filter(academy__hub=filters["hub"])
    for name in ("category", "rag", "visibility"):
        if filters.get(name):
            risks = risks.filter(**{name: filters[name]})
    status = filters.get("status") or Risk.Status.OPEN
    if status != ALL_STATUSES:
        risks = risks.filter(status=status)
    if filters.get("owner"):
        risks = risks.filter(owner=filters["owner"])
    if filters.get("overdue"):
        risks = risks.review_overdue(today)
    text = (filters.get("q") or "").strip()
    if text:
        risks = risks.filter(
            Q(title__icontains=text) | Q(description__icontains=text) | Q(reference__iexact=text)
        )
    return risks


def ordered(risks, sort):
    return risks.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT])[1])


def heatmap(risks):
    """A 5x5 grid of how many OPEN risks of `risks` sit at each likelihood (rows, 5 at the top)
    and impact (columns, 1 on the left); each cell with its score and RAG. One query."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in risks.open().order_by().values("likelihood", "impact").annotate(n=Count("pk"))
    }
    rows = []
    for likelihood in sorted(LIKELIHOOD, reverse=True):
        cells = []
        for impact in sorted(IMPACT):
            score = likelihood * impact
            cells.append({
                "likelihood": likelihood,
                "impact": impact,
                "score": score,
                "rag": rag_for(score),
                "count": counts.get((likelihood, impact), 0),
            })
        rows.append({"likelihood": likelihood, "label": LIKELIHOOD[likelihood], "cells": cells})
    return {
        "rows": rows,
        "impacts": [(impact, label) for impact, label in sorted(IMPACT.items())],
        "total": sum(counts.values()),
    }


def overdue_reviews(risks, today, limit=10):
    """(the first `limit` open risks past their review date, soonest overdue first; how many in all)."""
    overdue = risks.review_overdue(today)
    return list(overdue.select_related(*RISK_ROWS).order_by("next_review_on", "-score", "pk")[:limit]), (
        overdue.count()
    )


def top_risks(risks, limit=10):
    """The open risks the board should see first: red before amber before green, then by score."""
    return list(
        risks.open().select_related(*RISK_ROWS).annotate(rag_order=RAG_ORDER)
        .order_by("rag_order", "-score", "next_review_on", "pk")[:limit]
    )


def summary(risks):
    """Open risks counted by RAG, and by category with each category's RAG split. Two queries."""
    open_risks = risks.open().order_by()
    by_rag = {row["rag"]: row["n"] for row in open_risks.values("rag").annotate(n=Count("pk"))}
    by_category = {}
    for row in open_risks.values("category", "rag").annotate(n=Count("pk")):
        by_category.setdefault(row["category"], {})[row["rag"]] = row["n"]
    categories = [
        {
            "value": value,
            "label": label,
            "red": by_category[value].get(RAG.RED, 0),
            "amber": by_category[value].get(RAG.AMBER, 0),
            "green": by_category[value].get(RAG.GREEN, 0),
            "total": sum(by_category[value].values()),
        }
        for value, label in Category.choices
        if value in by_category
    ]
    return {
        "rags": [(value, label, by_rag.get(value, 0)) for value, label in RAG.choices],
        "total": sum(by_rag.values()),
        "categories": categories,
    }


def score_changes(risks, since):
    """Risks whose score changed on or after `since`: for each, the score before its first
    change in the period, the score now, how many changes and the latest reason. Two queries."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    events = list(
        RiskEvent.objects.filter(
            risk__in=risks.order_by().values("pk"),
            kind=RiskEvent.Kind.CHANGED,
            at__gte=start,
            changes__has_key="score",
        ).order_by("at", "pk").values("risk_id", "at", "reason", "changes")
    )
    changed = {}
    for event in events:
        entry = changed.setdefault(event["risk_id"], {"before": event["changes"]["score"][0], "count": 0})
        entry["count"] += 1
        entry["at"] = event["at"]
        entry["reason"] = event["reason"]
    rows = []
    for risk in risks.filter(pk__in=list(changed)).select_related(*RISK_ROWS).order_by("-score", "pk"):
        entry = changed[risk.pk]
        before = int(entry["before"])
        rows.append({
            "risk": risk,
            "before": before,
            "before_rag": rag_for(before),
            "after": risk.score,
            "direction": "up" if risk.score > before else "down" if risk.score < before else "back",
            "count": entry["count"],
            "at": entry["at"],
            "reason": entry["reason"],
        })
    return rows


def closed_since(risks, since):
    return list(
        risks.filter(status=Risk.Status.CLOSED, closed_on__gte=since)
        .select_related(*RISK_ROWS).order_by("-closed_on", "-score", "pk")
    )


def academy_risks(user, academy):
    """One academy's risks the person sees: open first, then by score."""
    return list(
        Risk.objects.visible_to(user).filter(academy=academy).select_related("owner", "rule")
        .annotate(open_first=OPEN_FIRST).order_by("open_first", "-score", "next_review_on", "pk")
    )
