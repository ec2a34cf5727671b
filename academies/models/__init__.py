from .academy import Academy, AcademyQuerySet, urn_validator
from .imports import ImportBatch
from .ofsted import FIVE_POINT, FOUR_POINT, Inspection, InspectionJudgement, SEFJudgement
from .plans import DevelopmentPlan, PlanAction, Priority, ProgressReview, Theme
from .results import Comparator, Measure, PupilGroup, Result, Symbol
from .targets import PerformanceStandard, StrategicAim, Target, TargetEvent, TargetPolicy

__all__ = [
    "FIVE_POINT",
    "FOUR_POINT",
    "Academy",
    "AcademyQuerySet",
    "Comparator",
    "DevelopmentPlan",
    "ImportBatch",
    "Inspection",
    "InspectionJudgement",
    "Measure",
    "PerformanceStandard",
    "PlanAction",
    "Priority",
    "ProgressReview",
    "PupilGroup",
    "Result",
    "SEFJudgement",
    "StrategicAim",
    "Symbol",
    "Target",
    "TargetEvent",
    "TargetPolicy",
    "Theme",
    "urn_validator",
]
