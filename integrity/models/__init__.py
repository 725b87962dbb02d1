"""清廉建设: problem clues and their dispositions, cases filed, sanctions, detention and funds
recovered, rectification campaigns, livelihood projects under supervision, clean units and their
rules. Only discipline staff (纪检监察干部) ever read these rows: every model declares
``scope_roles = DISCIPLINE_ROLES``, so ``for_user`` shows nothing to anyone else.

One module per aggregate; choices and error codes live in ``integrity.choices``."""

from integrity.models.access import AccessLog
from integrity.models.campaigns import Campaign, CampaignMatter
from integrity.models.cases import CaseClueLink, CaseSubjectLink, IntegrityCase, Measure, Recovery, Sanction
from integrity.models.clues import Clue, ClueReporter, ClueSubjectLink, Subject
from integrity.models.culture import CultureActivity, CultureSite
from integrity.models.projects import LivelihoodProject, Milestone, SupervisionVisit
from integrity.models.units import CleanUnit, Evaluation, EvaluationItem, UnitRule

__all__ = [
    "AccessLog",
    "Campaign",
    "CampaignMatter",
    "CaseClueLink",
    "CaseSubjectLink",
    "CleanUnit",
    "Clue",
    "ClueReporter",
    "ClueSubjectLink",
    "CultureActivity",
    "CultureSite",
    "Evaluation",
    "EvaluationItem",
    "IntegrityCase",
    "LivelihoodProject",
    "Measure",
    "Milestone",
    "Recovery",
    "Sanction",
    "Subject",
    "SupervisionVisit",
    "UnitRule",
]
