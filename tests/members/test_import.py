"""M1 bulk import: .csv (UTF-8, UTF-8 with BOM, GBK) and .xlsx; any error → nothing imported."""

from __future__ import annotations

import io

from openpyxl import Workbook

from factories import login, make_enterprise, make_member


def _admin(client, database):
    eid, admin = make_enterprise(database)
    return eid, login(client, admin)


def _upload(client, eid, h, filename, content):
    return client.post(f"/api/v1/enterprises/{eid}/members/import", headers=h,
                       files={"file": (filename, content, "application/octet-stream")})


def _count(client, eid, h):
    return client.get(f"/api/v1/enterprises/{eid}/members", headers=h).json()["total"]


GOOD_CSV = "name,phone,staff_no,department\n张伟,13800000001,E001,技术部\n李娜,139 0000 0002,,财务部\n"


def test_r_m1_import_csv_creates_every_row(client, database):
    eid, h = _admin(client, database)
    r = _upload(client, eid, h, "members.csv", GOOD_CSV.encode("utf-8-sig"))
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "errors": []}
    items = client.get(f"/api/v1/enterprises/{eid}/members", headers=h).json()["items"]
    assert {(m["name"], m["phone"], m["staff_no"]) for m in items} == {("张伟", "13800000001", "E001"),
                                                                      ("李娜", "13900000002", None)}


def test_r_m1_import_gbk_csv_with_chinese_headers(client, database):
    eid, h = _admin(client, database)
    content = "姓名,手机号码,工号,部门\n陈静,13700000001,G01,行政部\n".encode("gbk")
    r = _upload(client, eid, h, "成员.csv", content)
    assert r.status_code == 200 and r.json()["created"] == 1
    assert client.get(f"/api/v1/enterprises/{eid}/members", params={"q": "陈静"}, headers=h).json()["total"] == 1


def test_r_m1_import_any_error_means_nothing_imported(client, database):
    eid, h = _admin(client, database)
    make_member(database, enterprise_id=eid, phone="13600000009")
    csv = ("name,phone,staff_no,department\n"
           "好人,13800000001,,\n"        # row 2 fine
           ",13800000002,,\n"            # row 3 no name
           "坏号码,12345,,\n"             # row 4 bad phone
           "重复,13800000001,,\n"         # row 5 duplicate of row 2
           "已存在,13600000009,,\n")      # row 6 already a member
    r = _upload(client, eid, h, "m.csv", csv.encode())
    assert r.status_code == 422
    body = r.json()
    assert body["created"] == 0
    assert body["error"]["code"] == "import_rejected"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "name"), (4, "phone"), (5, "phone"), (6, "phone")]
    assert "row 2" in body["errors"][2]["message"]
    assert _count(client, eid, h) == 1


def test_r_m1_import_xlsx(client, database):
    eid, h = _admin(client, database)
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "phone", "staff_no", "department"])
    sheet.append(["黄磊", 13800000011, "X1", "生产部"])  # Excel stores the number as a number
    sheet.append(["林芳", "15800000012", None, None])
    buf = io.BytesIO()
    book.save(buf)
    r = _upload(client, eid, h, "members.xlsx", buf.getvalue())
    assert r.status_code == 200 and r.json()["created"] == 2
    phones = {m["phone"] for m in client.get(f"/api/v1/enterprises/{eid}/members", headers=h).json()["items"]}
    assert phones == {"13800000011", "15800000012"}


def test_r_m1_import_refuses_unreadable_files_whole(client, database):
    eid, h = _admin(client, database)
    cases = [("m.pdf", b"%PDF-1.4", "unsupported_file_type"),
             ("m.xlsx", b"not a zip", "unreadable_file"),
             ("m.csv", b"foo,bar\n1,2\n", "bad_header"),
             ("m.csv", b"", "empty_file")]
    for filename, content, code in cases:
        r = _upload(client, eid, h, filename, content)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (filename, r.text)
    r = _upload(client, eid, h, "m.csv", b"name,phone\n")
    assert r.status_code == 422 and r.json()["errors"][0]["message"]
    assert _count(client, eid, h) == 0


def test_r_m1_import_is_audited_per_member(client, database):
    eid, h = _admin(client, database)
    _upload(client, eid, h, "members.csv", GOOD_CSV.encode())
    trail = client.get("/api/v1/audit", params={"action": "member.add"}, headers=h).json()
    assert trail["total"] == 2
    assert {e["after"]["name"] for e in trail["items"]} == {"张伟", "李娜"}
