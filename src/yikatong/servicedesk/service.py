"""The service desk's public functions, for the API, the web pages, reports and the TMF facade.
Other domains call these, never the tables."""

from yikatong.servicedesk.dispatch import appoint, arrive, assign, dispatch, grab, pick_engineer, resolve  # noqa: F401
from yikatong.servicedesk.sla_watch import check_sla, flags  # noqa: F401
from yikatong.servicedesk.teams import (  # noqa: F401
    create_team, get_engineer, get_rules, get_team, list_engineers, list_teams, open_load, set_duty, set_engineer,
    set_rules, team_for_territory, update_team, zones_of,
)
from yikatong.servicedesk.tickets import (  # noqa: F401
    allowed_actions, create_ticket, get_ticket, history, list_tickets, suggestions,
)
from yikatong.servicedesk.tiers import (  # noqa: F401
    accept, answer, cancel, close, comment, escalate, hold, reopen, reply, rate, resume, transfer,
)
