def test_healthz_answers_on_each_engine(client, db_engine):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == db_engine
