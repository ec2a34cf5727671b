"""Health checks (reports, judgements, recommendations as tracked actions), link-governor
visits, and the live risk register with the rules that raise risks from data."""

from .reports import (
    Action,
    ActionReview,
    HealthCheck,
    HealthCheckEvent,
    HealthCheckJudgement,
    LeadershipQA,
)
from .risks import Category, Risk, RiskEvent, RiskRule, Visibility, rag_for
from .visits import GovernorVisit

__all__ = [
    "Action",
    "ActionReview",
    "Category",
    "GovernorVisit",
    "HealthCheck",
    "HealthCheckEvent",
    "HealthCheckJudgement",
    "LeadershipQA",
    "Risk",
    "RiskEvent",
    "RiskRule",
    "Visibility",
    "rag_for",
]
