"""Login, logout, sessions and the channel rules (X1) of the console."""

from __future__ import annotations

from factories import PASSWORD, make_enterprise, make_user
from web_helpers import csrf, csrf_from, logged_in, login

from yikatong.auth import service as auth
from yikatong.core.actor import Role
from yikatong.web.security import SESSION_COOKIE

WEEKDAYS_9_TO_17 = [{"weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "17:00"}]


def test_root_redirects_to_login_when_signed_out(client, db_engine):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"


def test_a_console_page_redirects_to_login_and_back(client, database):
    eid, admin = make_enterprise(database)
    r = client.get(f"/console/enterprises/{eid}/members?q=x", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=%2Fconsole%2Fenterprises%2F{eid}%2Fmembers%3Fq%3Dx"
    r = login(client, admin, next_=f"/console/enterprises/{eid}/members?q=x")
    assert r.headers["location"] == f"/console/enterprises/{eid}/members?q=x"


def test_login_never_redirects_to_another_site(client, database):
    _, admin = make_enterprise(database)
    r = login(client, admin, next_="//evil.example/steal")
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_session_cookie_is_httponly_and_lax(client, database):
    _, admin = make_enterprise(database)
    r = login(client, admin)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # settings.cookie_secure is off in tests


def test_each_role_lands_on_its_home(client, database):
    eid, admin = make_enterprise(database)
    logged_in(client, admin)
    assert client.get("/", follow_redirects=False).headers["location"] == f"/console/enterprises/{eid}/members"
    client.cookies.clear()
    am = make_user(database, role=Role.account_manager)
    logged_in(client, am)
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/enterprises"


def test_wrong_password_shows_an_error_and_keeps_the_username(client, database):
    _, admin = make_enterprise(database)
    r = login(client, admin, password="not-the-password")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert f'value="{admin}"' in r.text
    assert SESSION_COOKIE not in r.cookies
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_login_without_its_csrf_token_is_refused(client, database):
    _, admin = make_enterprise(database)
    client.get("/login")
    r = client.post("/login", data={"username": admin, "password": PASSWORD, "channel": "website"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert "表单已过期" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_login_csrf_token_is_bound_to_the_browser_cookie(client, database, app):
    """A token lifted from one browser does not work with another browser's cookie."""
    from fastapi.testclient import TestClient

    _, admin = make_enterprise(database)
    token = csrf_from(client.get("/login").text)
    with TestClient(app) as other:
        other.get("/login")
        r = other.post("/login", data={"username": admin, "password": PASSWORD, "channel": "website",
                                       "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403


def test_r_x1_login_form_offers_the_channels_website_first(client, db_engine):
    html = client.get("/login").text
    positions = [html.index(f'<option value="{c}"') for c in ("website", "hall", "hotline", "account_manager")]
    assert positions == sorted(positions)
    assert '<option value="website" selected>网站</option>' in html
    for name in ("营业厅", "热线", "客户经理"):
        assert name in html


def test_r_x1_user_bound_to_hall_is_refused_through_the_website(client, database):
    clerk = make_user(database, role=Role.account_manager, allowed_channels=["hall"])
    r = login(client, clerk, channel="website")
    assert r.status_code == 403
    assert "该账号不能通过“网站”渠道办理业务" in r.text
    assert "允许的渠道：营业厅" in r.text
    assert SESSION_COOKIE not in r.cookies
    r = login(client, clerk, channel="hall")
    assert r.status_code == 303
    page = client.get("/console/enterprises")
    assert page.status_code == 200
    assert "客户经理 · 营业厅" in page.text  # the top bar names the role and the channel in use


def test_r_x1_every_page_is_checked_against_the_time_window(client, database, clock):
    """A session opened in business hours is refused on its next page once the hours are over."""
    clerk = make_user(database, role=Role.account_manager, allowed_channels=["hall"], time_windows=WEEKDAYS_9_TO_17)
    logged_in(client, clerk, channel="hall")  # Monday 10:00 in Beijing
    assert client.get("/console/enterprises").status_code == 200
    clock.advance(hours=7, minutes=30)  # 17:30: the session is still valid, the window is not
    r = client.get("/console/enterprises")
    assert r.status_code == 403
    assert "当前不在该账号允许的办理时段内" in r.text
    assert "退出并通过其他渠道登录" in r.text
    # Leaving still works, even outside the hours.
    r = client.post("/logout", data={"csrf_token": csrf_from(r.text)}, follow_redirects=False)
    assert r.status_code == 303


def test_r_x1_outside_hours_login_is_refused(client, database, clock):
    clerk = make_user(database, role=Role.account_manager, time_windows=WEEKDAYS_9_TO_17)
    clock.advance(hours=12)  # Monday 22:00
    r = login(client, clerk)
    assert r.status_code == 403
    assert "当前不在该账号允许的办理时段内" in r.text


def test_r_x1_the_session_keeps_the_channel_chosen_at_login(client, database):
    eid, admin = make_enterprise(database)
    logged_in(client, admin, channel="hotline")
    token = client.cookies[SESSION_COOKIE]
    with database.read() as s:
        row, _ = auth.session_for_token(s, token=token, kind="web")
        assert row.channel == "hotline"


def test_unknown_channel_is_refused(client, database):
    _, admin = make_enterprise(database)
    r = login(client, admin, channel="system")
    assert r.status_code == 422
    assert "请选择列表中的渠道" in r.text


def test_logout_revokes_the_session(client, database):
    eid, admin = make_enterprise(database)
    logged_in(client, admin)
    token = client.cookies[SESSION_COOKIE]
    r = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "您已退出登录" in client.get("/login").text
    # The old cookie is dead even if a browser keeps sending it.
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get(f"/console/enterprises/{eid}/members", follow_redirects=False).status_code == 303


def test_logout_needs_the_csrf_token(client, database):
    _, admin = make_enterprise(database)
    logged_in(client, admin)
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.get("/console/audit").status_code == 200  # still signed in


def test_repeated_wrong_passwords_lock_the_account(client, database):
    _, admin = make_enterprise(database)
    for _ in range(5):
        login(client, admin, password="wrong-password")
    r = login(client, admin)
    assert r.status_code == 403
    assert "账号已被临时锁定" in r.text


def test_roles_without_console_pages_get_a_start_page(client, database):
    support = make_user(database, role=Role.tech_support)
    logged_in(client, support)
    r = client.get("/")
    assert r.status_code == 200
    assert "后台技术支撑" in r.text
