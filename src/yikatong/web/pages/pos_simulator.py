"""A POS simulator (模拟终端) for testing and demonstrations: an enterprise admin or an operator picks
one of the enterprise's POS terminals and acts AS that terminal — a purchase (消费, P3) with a card
number and an amount, or an undo of the terminal's last purchase (撤消, P4) — through the same
services a real device calls, with the terminal's own identity (T2). The answer is the balance
after, or the refusal in the reader's language. Each form carries a one-time key, so a double
click or a reload charges once (P8)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core.actor import Actor
from yikatong.core.errors import InvalidInput, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.purse import service as purse
from yikatong.terminals import service as terminals
from yikatong.terminals.models import Terminal, TerminalStatus, TerminalType
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.pages.purse import purse_enterprise
from yikatong.web.pages.purse_common import KEY_FIELD, amount_fen, new_key, once
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/pos-simulator", route_class=ConsoleRoute,
                   include_in_schema=False)

_SPACES = re.compile(r"[\s-]")
CARD_NO = re.compile(r"^\d{16}$")


def _pos_terminals(db: Session, console: Console, enterprise_id: int) -> list[Terminal]:
    return [t for t in terminals.list_terminals(db, actor=console.actor, enterprise_id=enterprise_id)
            if t.type == TerminalType.pos.value and t.status == TerminalStatus.active.value]


def terminal_actor(db: Session, console: Console, enterprise_id: int, terminal_text: str) -> tuple[Terminal, Actor]:
    if not terminal_text.isdigit() or len(terminal_text) > 9:
        raise InvalidInput("terminal: choose a POS terminal", code="invalid_input",
                           details={"errors": [{"field": "terminal", "type": "missing"}]})
    return terminals.act_as_terminal(db, actor=console.actor, enterprise_id=enterprise_id,
                                     terminal_id=int(terminal_text))


def _card_no(text: str) -> str:
    card = _SPACES.sub("", text)
    if not CARD_NO.match(card):
        raise InvalidInput("card_no: 16 digits", code="invalid_input",
                           details={"errors": [{"field": "card_no", "type": "card_no"}]})
    return card


def _page(request: Request, db: Session, console: Console, enterprise_id: int, *, values: dict[str, str] | None = None,
          result: dict | None = None, failure: FormFailure | None = None) -> Response:
    enterprise = purse_enterprise(db, console, enterprise_id)
    devices = _pos_terminals(db, console, enterprise_id)
    merchants = {m.id: m.name for m in terminals.list_merchants(db, actor=console.actor, enterprise_id=enterprise_id)}
    values = {"terminal": str(devices[0].id) if devices else "", "card_no": "", "amount": ""} | (values or {})
    return render(request, "terminals/pos_simulator.html", {
        "enterprise": enterprise, "base": f"/console/enterprises/{enterprise_id}/pos-simulator",
        "terminals": devices, "merchants": merchants, "values": values | {KEY_FIELD: new_key()},
        "result": result, "failure": failure, "nav": "terminals" if console.is_admin else "enterprises",
    }, status_code=failure.status_code if failure else 200)


@router.get("")
def simulator(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _page(request, db, console, enterprise_id)


def _values(form: dict[str, str]) -> dict[str, str]:
    return {"terminal": form.get("terminal", "")[:12], "card_no": form.get("card_no", "")[:32],
            "amount": form.get("amount", "")[:32]}


@router.post("/purchase", dependencies=[Csrf])
def purchase(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """P3 消费 as the chosen POS: the card's purse pays the POS's merchant."""
    purse_enterprise(db, console, enterprise_id)
    values = _values(form)
    try:
        terminal, actor = terminal_actor(db, console, enterprise_id, values["terminal"])
        card, fen = _card_no(values["card_no"]), amount_fen(values["amount"])

        def produce() -> dict:
            t = purse.purchase(db, actor=actor, card_no=card, amount_fen=fen)
            return {"kind": "purchase", "transfer_id": t.id, "amount_fen": t.amount_fen,
                    "balance_fen": t.debit_balance_after_fen}

        answer, repeated = once(db, actor=actor, key=form.get(KEY_FIELD, ""),
                                what=f"purchase {terminal.id} {card} {fen}", produce=produce)
    except YktError as exc:
        return _page(request, db, console, enterprise_id, values=values, failure=form_failure(request, db, exc))
    result = answer | {"card_no": card, "terminal": terminal.name, "repeated": repeated}
    return _page(request, db, console, enterprise_id, values=values | {"amount": ""}, result=result)


@router.post("/undo", dependencies=[Csrf])
def undo(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """P4 撤消上一笔 as the chosen POS: its own last purchase goes back in full, once."""
    purse_enterprise(db, console, enterprise_id)
    values = _values(form)
    try:
        terminal, actor = terminal_actor(db, console, enterprise_id, values["terminal"])

        def produce() -> dict:
            t = purse.undo_last_purchase(db, actor=actor)
            return {"kind": "undo", "transfer_id": t.id, "reversed_transfer_id": t.reverses_transfer_id,
                    "amount_fen": t.amount_fen, "balance_fen": t.credit_balance_after_fen}

        answer, repeated = once(db, actor=actor, key=form.get(KEY_FIELD, ""), what=f"undo {terminal.id}",
                                produce=produce)
    except YktError as exc:
        return _page(request, db, console, enterprise_id, values=values, failure=form_failure(request, db, exc))
    return _page(request, db, console, enterprise_id, values=values,
                 result=answer | {"terminal": terminal.name, "repeated": repeated})
