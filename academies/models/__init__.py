from .academy import Academy, AcademyQuerySet, urn_validator
from .imports import ImportBatch
from .ofsted import FIVE_POINT, FOUR_POINT, Inspection, InspectionJudgement, SEFJudgement
from .results import Comparator, Measure, PupilGroup, Result, Symbol

__all__ = [
    "FIVE_POINT", "FOUR_POINT", "Academy", "AcademyQuerySet", "Comparator", "ImportBatch",
    "Inspection", "InspectionJudgement", "Measure", "PupilGroup", "Result", "SEFJudgement",
    "Symbol", "urn_validator",
]
