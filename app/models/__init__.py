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
    "ArchiveEvent",
    "Campaign",
    "CampaignCreator",
    "CollectionStat",
    "JobRun",
    "OutboxEmail",
    "Creator",
    "Planting",
    "PlantingOrder",
    "Post",
    "QuotaMonth",
    "User",
    "Workspace",
]
