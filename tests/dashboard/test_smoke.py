def test_officer_dashboard(officer_client):
    r = officer_client.get("/dashboard/")
    assert r.status_code == 200, r.content[:2000]
    print(r.content.decode()[:300])
    r = officer_client.get("/dashboard/screen/")
    assert r.status_code == 200
    r = officer_client.get("/dashboard/data/")
    assert r.status_code == 200
