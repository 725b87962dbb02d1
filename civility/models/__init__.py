"""Civility (文明建设): the points ledger, the points shop, monthly rankings, customs reform
(移风易俗) and volunteers, one module per aggregate. Households are ranked at their own division
node (屋场, 小区 or, until those exist, 村/社区) and at every level above it, read from
``Division.path`` — this app imports no other app but governance. The choices live in
``civility.choices`` and are re-exported here, as the core's models do."""

from civility.choices import (
    DISSUADED_OUTCOMES,
    GENESIS_HASH,
    RANKING_LEVEL_DIVISIONS,
    ActivityKind,
    BanquetKind,
    BoardKind,
    BoardStatus,
    DissuasionKind,
    DissuasionOutcome,
    EntrySource,
    EntryStatus,
    FamilyStatus,
    PointCategory,
    RankingLevel,
    RankingStatus,
    StationLevel,
    UnitLevel,
    UnitStatus,
    VolunteerBrand,
)
from civility.models.boards import HonorList, HonorListEntry, RankingCorrection
from civility.models.customs import (
    BanquetAbstention,
    BanquetDeclaration,
    BanquetKindCap,
    BanquetServiceFee,
    BanquetServiceTeam,
    Dissuasion,
    VillageRule,
)
from civility.models.ledger import ENTRY_HASH_SQL, ENTRY_MUTABLE_FIELDS, PointAccount, PointEntry
from civility.models.ranking import CivilizedFamily, MonthlyRanking, RankingMonth
from civility.models.rules import PointRule
from civility.models.shop import Redemption, RedemptionLine, RewardItem, Shop, ShopOperatorLink
from civility.models.units import CivilityUnit, UnitKind, UnitReview
from civility.models.volunteers import (
    ActivityParticipantLink,
    PlaceLocation,
    PracticeStation,
    ServiceActivity,
    Volunteer,
    VolunteerTeam,
    VolunteerTeamLink,
    VolunteerTeamServesLink,
)

__all__ = [
    "DISSUADED_OUTCOMES",
    "ENTRY_HASH_SQL",
    "ENTRY_MUTABLE_FIELDS",
    "GENESIS_HASH",
    "RANKING_LEVEL_DIVISIONS",
    "ActivityKind",
    "ActivityParticipantLink",
    "BanquetAbstention",
    "BanquetDeclaration",
    "BanquetKind",
    "BanquetKindCap",
    "BanquetServiceFee",
    "BanquetServiceTeam",
    "BoardKind",
    "BoardStatus",
    "CivilityUnit",
    "CivilizedFamily",
    "Dissuasion",
    "DissuasionKind",
    "DissuasionOutcome",
    "EntrySource",
    "EntryStatus",
    "FamilyStatus",
    "HonorList",
    "HonorListEntry",
    "MonthlyRanking",
    "PlaceLocation",
    "PointAccount",
    "PointCategory",
    "PointEntry",
    "PointRule",
    "PracticeStation",
    "RankingCorrection",
    "RankingLevel",
    "RankingMonth",
    "RankingStatus",
    "Redemption",
    "RedemptionLine",
    "RewardItem",
    "ServiceActivity",
    "Shop",
    "ShopOperatorLink",
    "StationLevel",
    "UnitKind",
    "UnitLevel",
    "UnitReview",
    "UnitStatus",
    "VillageRule",
    "Volunteer",
    "VolunteerBrand",
    "VolunteerTeam",
    "VolunteerTeamLink",
    "VolunteerTeamServesLink",
]
