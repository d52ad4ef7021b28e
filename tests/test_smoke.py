def test_healthz_answers_on_each_engine(client, db_engine):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == db_engine


def test_metrics_count_requests_by_route_template(client, db_engine):
    client.get("/api/v1/members/12345")  # 401, but counted under its template
    text = client.get("/metrics").text
    assert 'route="/api/v1/members/{member_id}",status="401"' in text
    assert "ykt_http_request_seconds_bucket" in text
