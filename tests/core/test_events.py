"""The audit event catalogue: every name written is in it, and a name not in it is refused."""

import ast
import pathlib

import pytest
from django.utils import translation

from dangjian.core import audit
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog

SRC = pathlib.Path(audit.__file__).resolve().parents[1]
WRITERS = {"record_event": 1, "record_read": 1, "record_signin": 1, "_record_file": 1}


def _literal_event_names():
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = WRITERS.get(name)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield path.relative_to(SRC), arg.value


def test_every_event_name_in_the_code_is_in_the_catalogue():
    unknown = [(str(p), n) for p, n in _literal_event_names() if n not in AuditEvent.values]
    assert unknown == []


@pytest.mark.django_db
def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="Unknown audit event"):
        audit.record_event(None, "made.up")
    with pytest.raises(ValueError):
        audit.record_read(None, "made.up")
    assert not AuditLog.objects.filter(event_type="made.up").exists()


@pytest.mark.django_db
def test_a_catalogued_name_is_accepted_as_member_or_text():
    log = audit.record_event(None, AuditEvent.BRANCH_FORMED)
    assert log.event_type == "branch.formed"
    assert audit.record_event(None, "branch.formed").event_type == "branch.formed"


def test_the_audit_page_can_show_words():
    with translation.override("zh-hans"):
        assert AuditLog(event_type="branch.formed").event_label == "党支部已成立"
        assert AuditLog(event_type="old.name").event_label == "old.name"
        assert AuditLog().event_label == ""
