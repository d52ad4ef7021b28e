"""Bulk import of members through the console (M1): all or nothing, a per-row error report, and
the downloadable templates."""

from __future__ import annotations

import io

import pytest
from factories import make_enterprise, make_member
from openpyxl import Workbook, load_workbook
from web_helpers import csrf, logged_in, member_rows


@pytest.fixture
def admin(client, database):
    eid, username = make_enterprise(database)
    logged_in(client, username)
    return eid, f"/console/enterprises/{eid}/members/import"


def _upload(client, path, name: str, content: bytes, token: str | None = None):
    data = {"csrf_token": token if token is not None else csrf(client, path)}
    return client.post(path, data=data, files={"file": (name, content, "application/octet-stream")})


def test_r_m1_import_with_a_bad_row_shows_the_row_error_and_creates_nothing(client, database, admin):
    eid, path = admin
    make_member(database, enterprise_id=eid, name="已有", phone="13800000003")
    csv = ("name,phone,staff_no,department\n"
           "张三,13800000001,A1,技术部\n"
           "李四,12345,A2,技术部\n"
           "王五,13800000001,A3,财务部\n"
           "赵六,13800000003,A4,财务部\n").encode("utf-8-sig")
    r = _upload(client, path, "members.csv", csv)
    assert r.status_code == 422
    assert "文件中有 3 处错误，未导入任何成员" in r.text
    html = r.text
    assert "<td class=\"num\">3</td><td>手机号码</td><td>不是有效的中国大陆手机号码" in html
    assert "13800000001 与第 2 行重复" in html
    assert "13800000003 已属于本企业的成员" in html
    assert [m.name for m in member_rows(database, eid)] == ["已有"]


def test_r_m1_import_creates_every_member_of_a_good_file(client, database, admin):
    eid, path = admin
    csv = "姓名,手机号码,工号,部门\n张三,13800000001,A1,技术部\n李四,138 0000 0002,,\n".encode("gb18030")
    r = _upload(client, path, "成员.csv", csv)
    assert r.status_code == 200
    assert "已从 成员.csv 导入 2 名成员" in r.text
    assert sorted(m.name for m in member_rows(database, eid)) == ["张三", "李四"]


def test_r_m1_import_reads_xlsx(client, database, admin):
    eid, path = admin
    book = Workbook()
    book.active.append(["name", "phone", "staff_no", "department"])
    book.active.append(["周八", 13900000008, "B1", "行政部"])
    buffer = io.BytesIO()
    book.save(buffer)
    r = _upload(client, path, "members.xlsx", buffer.getvalue())
    assert r.status_code == 200, r.text
    assert [m.phone for m in member_rows(database, eid)] == ["13900000008"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("members.pdf", b"%PDF-1.4", "请上传 .csv 或 .xlsx 文件"),
    ("members.csv", b"foo,bar\n1,2\n", "第一行必须是列名"),
    ("members.csv", b"", "文件为空"),
    ("members.xlsx", b"not a workbook", "无法读取该文件"),
])
def test_unreadable_files_are_explained(client, database, admin, name, content, message):
    eid, path = admin
    r = _upload(client, path, name, content)
    assert r.status_code == 422
    assert message in r.text
    assert member_rows(database, eid) == []


def test_import_without_csrf_token_is_refused(client, database, admin):
    eid, path = admin
    r = _upload(client, path, "m.csv", "name,phone\n张三,13800000001\n".encode(), token="")
    assert r.status_code == 403
    assert member_rows(database, eid) == []


def test_csv_template_has_the_header_and_a_bom(client, database, admin):
    _, path = admin
    r = client.get(f"{path}/template.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert r.content.decode("utf-8-sig").splitlines() == ["name,phone,staff_no,department"]


def test_xlsx_template_has_the_header(client, database, admin):
    _, path = admin
    r = client.get(f"{path}/template.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]] == ["name", "phone", "staff_no", "department"]
    assert sheet["B2"].number_format == "@"  # phone numbers stay text in Excel


def test_template_round_trips_through_the_importer(client, database, admin):
    eid, path = admin
    template = client.get(f"{path}/template.csv").content
    r = _upload(client, path, "filled.csv", template + "吴九,13700000009,,\r\n".encode())
    assert r.status_code == 200
    assert [m.name for m in member_rows(database, eid)] == ["吴九"]
