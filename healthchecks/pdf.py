"""What a health-check report shows, worked out once for its page and its PDF, and the PDF itself.

The PDF exists only for a published report (the view asks for one). It is rendered by WeasyPrint
from an HTML template with its print styles inlined, at a base address on a `.invalid` host where
nothing can be, with the fetcher of the objectives PDF that serves nothing but the app's own
static files: no text in a report can make the server read a local file or call another machine.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from academies import exports
from academies.models import SEFJudgement
from academies.models.ofsted import FIVE_POINT, Area

from .history import report_events
from .models import Action, ActionReview, HealthCheck, LeadershipQA
from .models.reports import AREAS

S = HealthCheck.Status

STATUS_NOTES = {
    S.DRAFT: "Being written by the trust; the academy cannot see it yet.",
    S.SUBMITTED: "With the headteacher to check its facts before it is published.",
    S.RESPONDED: "The headteacher has checked its facts; the trust publishes it next.",
    S.PUBLISHED: "Published to the academy's headteacher and governors; its actions are tracked.",
}
# A state is said in words with a symbol; any colour only repeats them.
STATUS_SYMBOLS = {S.DRAFT: "\u270e", S.SUBMITTED: "\u2709", S.RESPONDED: "\u21a9", S.PUBLISHED: "\u2714"}

CHOICES = {
    "kind": dict(HealthCheck.Kind.choices),
    "safeguarding": dict(HealthCheck.Safeguarding.choices),
    "leadership_qa": dict(LeadershipQA.choices),
}


@dataclass
class Content:
    report: HealthCheck
    today: datetime.date
    rows: list  # (area label, the judgement or None, the academy's self-evaluation or None)
    actions: list
    reviewed_here: list  # reviews of earlier actions made at this health check
    events: list
    made_at: datetime.datetime

    @property
    def title(self):
        report = self.report
        return f"{report.get_kind_display()}: {report.academy.name}, {report.visit_text}"

    @property
    def status_note(self):
        return STATUS_NOTES[self.report.status]

    @property
    def status_symbol(self):
        return STATUS_SYMBOLS[self.report.status]


def mark_actions(actions, report, today):
    """Whether each action is overdue: only a published report's actions are live."""
    for action in actions:
        action.overdue = report.status == S.PUBLISHED and action.is_overdue(today)
    return actions


def _when(value):
    try:
        return f"{datetime.date.fromisoformat(value):%-d %B %Y}"
    except (TypeError, ValueError):
        return value


def change_rows(changes):
    """A history entry's changes in words: (what, before, after)."""
    areas = {a.value for a in Area}
    rows = []
    for name, (before, after) in changes.items():
        if name in areas:
            label, words = f"Judgement of {Area(name).label.lower()}", FIVE_POINT
        elif name.startswith("action "):
            label, words = name.capitalize(), dict(Action.Status.choices)
        elif name in CHOICES:
            label, words = HealthCheck._meta.get_field(name).verbose_name.capitalize(), CHOICES[name]
        elif name.startswith("recommendation "):
            label, words = name.capitalize(), {}
        else:
            try:
                label = HealthCheck._meta.get_field(name).verbose_name.capitalize()
            except FieldDoesNotExist:  # a name the history keeps that is no longer a field
                label = name.replace("_", " ").capitalize()
            words = {}
        if name in ("visit_start", "visit_end") or name.endswith(" due on"):
            before, after = _when(before), _when(after)
        rows.append((label, words.get(before, before), words.get(after, after)))
    return rows


def sef_at_visit(report):
    """The academy's self-evaluation of each area as it stood at the visit (the latest judged on
    or before its last day), so a published report reads the same however the SEF changes."""
    day = report.visit_end or report.visit_start
    latest = {}
    for judgement in (SEFJudgement.objects.filter(academy=report.academy, judged_on__lte=day)
                      .select_related("entered_by").order_by("-judged_on", "-created_at")):
        latest.setdefault(judgement.area, judgement)
    return latest


def report_content(report, user=None, today=None):
    """Everything a report shows `user` (seven queries): its judgements beside the academy's
    self-evaluation at the visit, its actions with their reviews (naming a later report only
    when the reader may see it), the earlier actions reviewed at it, and its history as the
    reader may read it."""
    today = today or timezone.localdate()
    judged = {j.area: j for j in report.judgements.all()}
    sef = sef_at_visit(report)
    rows = [(area.label, judged.get(area.value), sef.get(area.value))
            for area in AREAS if area.value in judged or area.value in sef]
    reviews = ActionReview.objects.select_related("by", "health_check")
    actions = list(
        report.actions.select_related("owner").prefetch_related(Prefetch("reviews", queryset=reviews))
    )
    reviewed_here = list(
        report.action_reviews.select_related("by", "action__health_check", "action__owner")
        .order_by("action__health_check__visit_start", "action__number", "reviewed_on", "pk")
    )
    # Without a reader (the PDF, which travels): only published reports, and only the steps.
    checks = HealthCheck.objects.filter(academy=report.academy)
    checks = checks.visible_to(user) if user is not None else checks.published()
    readable = set(checks.values_list("pk", flat=True))
    for review in [r for a in actions for r in a.reviews.all()]:
        review.shown_check = review.health_check if review.health_check_id in readable else None
    events = report_events(report, user)
    for event in events:
        event.change_rows = change_rows(event.changes)
    return Content(
        report=report, today=today, rows=rows, actions=mark_actions(actions, report, today),
        reviewed_here=reviewed_here, events=events, made_at=timezone.localtime(),
    )


def file_name(report):
    """e.g. health-check-100001-2025-11-12.pdf: only lower-case letters, digits and hyphens."""
    urn = slugify(report.academy.urn) or "academy"
    return f"health-check-{urn}-{report.visit_start:%Y-%m-%d}.pdf"


def report_html(content):
    return render_to_string("healthchecks/reports/report_pdf.html", {"c": content, "report": content.report})


def report_pdf(report):
    """The PDF of a published report."""
    from weasyprint import HTML

    if report.status != S.PUBLISHED:
        raise ValueError("Only a published health-check report has a PDF.")
    content = report_content(report)  # no reader: the steps, never the trust's working edits
    return HTML(string=report_html(content), base_url=exports.PDF_BASE_URL,
                url_fetcher=exports.static_only_fetcher).write_pdf()
