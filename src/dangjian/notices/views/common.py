"""What the notice pages share: the notices a page reads, form errors from a refusal, and the
sender a user writes as, with the units and party organizations they may choose."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone

from dangjian.core.errors import WorkflowError
from dangjian.notices import services
from dangjian.notices.access_rules import sending_as
from dangjian.notices.models import Notice

NOTICE_QS = Notice.objects.select_related("federation", "party_organization")


def _errors(form: Any, exc: ValidationError | WorkflowError) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, message)


def _sender(request: HttpRequest) -> Any:
    grant = sending_as(request.user)
    if grant is None:
        raise Http404
    return grant


def _choices(grant: Any) -> tuple[Any, Any]:
    today = timezone.localdate()
    federation_id, party_org_id = _origin(grant)
    return (
        services.sender_units(federation_id, party_org_id, today),
        services.sender_branches(federation_id, party_org_id, today),
    )


def _origin(grant: Any) -> tuple[int, int | None]:
    if grant.party_organization_id is not None and grant.federation_id is None:
        return grant.party_organization.federation_id, grant.party_organization_id
    return grant.federation_id, None
