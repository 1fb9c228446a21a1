"""A download's name: written once (``core.http.attach``) and read back by the worker that
keeps a background export (``attached_name``)."""

from django.http import HttpResponse

from dangjian.core.http import attach, attached_name


def test_a_chinese_name_goes_out_encoded_and_comes_back_whole():
    name = "党员名册 (津网联); 2026-12-05.xlsx"
    response = attach(HttpResponse(b""), name, "list.xlsx")
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename=\"list.xlsx\"; filename*=UTF-8''")
    assert "党" not in header and ";" not in header.split("''", 1)[1]
    assert attached_name(response) == name


def test_the_plain_name_when_there_is_no_utf8_one():
    response = HttpResponse(b"")
    assert attached_name(response) == ""
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    assert attached_name(response) == "audit.csv"
