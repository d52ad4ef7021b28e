"""Every table, imported in one place so Alembic and tests see the whole schema."""

from yikatong.access.models import (  # noqa: F401
    AccessEvent, AccessGroup, Door, GroupDepartment, GroupDoor, GroupMember, MemberValidity, Permission,
    PermissionVersion, Site, TerminalPermissionState, TimeZone,
)
from yikatong.attendance.models import (  # noqa: F401
    AttendanceBill, ClockRecord, Correction, Holiday, RosterVersion, Shift, ShiftAssignment,
)
from yikatong.audit.models import AuditEntry  # noqa: F401
from yikatong.auth.models import AuthToken, OneTimeCode, PersonCredential, User  # noqa: F401
from yikatong.cards.models import BlacklistChange, BlacklistVersion, Card, CardApplication, StockCard  # noqa: F401
from yikatong.core.idempotency import IdempotencyRecord  # noqa: F401
from yikatong.db import Base  # noqa: F401
from yikatong.enterprises.models import Enterprise  # noqa: F401
from yikatong.keys.models import EnterpriseKey, EnterpriseKeyProfile, PlatformRootKey, TerminalMotherCard  # noqa: F401
from yikatong.knowledge.models import Article, ArticleRevision, ArticleTerm  # noqa: F401
from yikatong.members.models import Member  # noqa: F401
from yikatong.offline.models import OfflineRecord  # noqa: F401
from yikatong.ota.models import Chip  # noqa: F401
from yikatong.purse.models import Account, PurseSettings, Transfer  # noqa: F401
from yikatong.servicedesk.models import (  # noqa: F401
    DispatchRules, Engineer, Team, Ticket, TicketEvent, TicketSlaFlag,
)
from yikatong.terminals.models import Merchant, Terminal  # noqa: F401
from yikatong.notify.models import Delivery, OutboxEvent, OutboxSequence, SmsMessage, WebhookSubscription  # noqa: F401
