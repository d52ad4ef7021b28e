"""S8: the ticket state machine itself — every legal transition of the table is reachable through
the API, everything else is a 409 with the machine's code."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from yikatong.core.errors import IllegalTransition
from yikatong.servicedesk.models import TicketStatus
from yikatong.servicedesk.states import ACTION_ROLES, TICKET_STATES

SOON = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
ACTIONS = sorted({a for _, a in TICKET_STATES.transitions} | set(ACTION_ROLES) - {"comment"})


@pytest.mark.parametrize("status,action", list(itertools.product(TicketStatus, ACTIONS)))
def test_r_s8_machine_allows_exactly_its_table(status, action):
    if (status, action) in TICKET_STATES.transitions:
        assert TICKET_STATES.next_state(status, action) == TICKET_STATES.transitions[(status, action)]
    else:
        with pytest.raises(IllegalTransition) as err:
            TICKET_STATES.next_state(status, action)
        assert err.value.code == f"ticket_{status.value}" and err.value.status_code == 409


def test_r_s8_final_states_have_no_way_out():
    for status in (TicketStatus.closed, TicketStatus.cancelled):
        assert TICKET_STATES.allowed_actions(status) == []


def test_r_s4_hold_and_resume_from_accepted_and_cancel_while_pending(desk):
    t = desk.create("l1")
    desk.act("l1", t["id"], "accept")
    assert desk.act("l1", t["id"], "hold", {"note": "等客户提供卡号"})["status"] == "pending"
    r = desk.post("l1", f"/tickets/{t['id']}/answer", {"answer": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_pending"
    assert desk.act("member", t["id"], "resume")["status"] == "accepted"
    desk.act("l1", t["id"], "hold")
    assert desk.act("l1", t["id"], "cancel")["status"] == "cancelled"


def test_r_s8_close_without_a_rating_after_answer_or_reply(desk):
    t = desk.create("l1")
    desk.act("l1", t["id"], "accept")
    desk.act("l1", t["id"], "answer", {"answer": "已解答"})
    assert desk.act("l1", t["id"], "close")["rating"] is None
    onsite = desk.onsite()
    desk.act("l2", onsite, "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("eng_a", onsite, "appoint", {"at": SOON})
    desk.act("eng_a", onsite, "arrive")
    desk.act("eng_a", onsite, "resolve", {"resolution": "已修复"})
    r = desk.post("l2", f"/tickets/{onsite}/close")
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_resolved"  # reply first
    desk.act("l2", onsite, "reply", {"note": "已修复"})
    assert desk.act("member", onsite, "reopen", {"note": "又坏了"})["status"] == "accepted"


def test_r_s8_waiting_grab_can_be_reassigned_or_dispatched_by_hand(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {})
    assert desk.act("l2", t, "assign", {"team_id": desk.vendor_team})["status"] == "assigned"
    desk.act("l2", t, "dispatch", {})
    body = desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_b")})
    assert (body["status"], body["dispatch_mode"]) == ("dispatched", "manual")
    r = desk.post("l2", f"/tickets/{t}/assign", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_dispatched"


def test_r_s8_redispatch_with_nobody_picked_reopens_for_grabs(desk):
    t = desk.onsite()
    desk.act("l2", t, "dispatch", {"engineer_id": desk.uid("eng_a")})
    desk.act("eng_a", t, "appoint", {"at": SOON})
    body = desk.act("l2", t, "dispatch", {})
    assert (body["status"], body["engineer_id"], body["appointment_at"]) == ("waiting_grab", None, None)
    assert body["history"][-1]["data"] == {"previous_engineer_id": desk.uid("eng_a")}


def test_r_s8_allowed_actions_follow_state_and_role(desk):
    t = desk.create("l1")
    assert desk.ticket(t["id"], "l1")["allowed_actions"] == ["accept", "cancel"]
    assert desk.ticket(t["id"], "member")["allowed_actions"] == ["cancel"]
    assert desk.ticket(t["id"], "l2")["allowed_actions"] == ["cancel"]  # another tier's order
