from .decisions import BaselineAssessment, TierAssignment, TierEvent
from .definitions import (
    TIER_NUMBERS,
    Cadence,
    Descriptor,
    DescriptorArea,
    Entitlement,
    LedBy,
    SupportKind,
    TierDefinition,
)
from .engine import RuleKind, TierRecommendation, TierRule
from .support import CalendarFeed, CapacityOffer, SupportItem, SupportLogEntry

__all__ = [
    "TIER_NUMBERS",
    "BaselineAssessment",
    "Cadence",
    "CalendarFeed",
    "CapacityOffer",
    "Descriptor",
    "DescriptorArea",
    "Entitlement",
    "LedBy",
    "RuleKind",
    "SupportItem",
    "SupportKind",
    "SupportLogEntry",
    "TierAssignment",
    "TierDefinition",
    "TierEvent",
    "TierRecommendation",
    "TierRule",
]
