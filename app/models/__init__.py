"""Canopy's data model; importing this package registers every table."""

from app.models.campaigns import (
    STATUSES,
    ArchiveEvent,
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Post,
)
from app.models.footprints import (
    Answer,
    Footprint,
    PrivateLink,
    Questionnaire,
)
from app.models.jobs import JobRun, OutboxEmail
from app.models.people import ROLES, User, Workspace
from app.models.planting import (
    EARNED_STATES,
    PLANTED_STATES,
    Planting,
    PlantingOrder,
    QuotaMonth,
)

__all__ = [
    "EARNED_STATES",
    "PLANTED_STATES",
    "ROLES",
    "STATUSES",
    "Answer",
    "ArchiveEvent",
    "Campaign",
    "CampaignCreator",
    "CollectionStat",
    "JobRun",
    "OutboxEmail",
    "Creator",
    "Footprint",
    "Planting",
    "PlantingOrder",
    "PrivateLink",
    "Post",
    "Questionnaire",
    "QuotaMonth",
    "User",
    "Workspace",
]
