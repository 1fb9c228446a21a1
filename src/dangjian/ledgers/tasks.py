"""Background work (django-tasks): checking and importing large uploads.

Each task runs with the request id of the action that queued it, so the audit rows of a large
import share the id of the request that asked for it.
"""

import contextlib

from django.contrib.auth import get_user_model
from django_tasks import task

from dangjian.core.audit import request_context
from dangjian.ledgers import services
from dangjian.ledgers.models import LedgerUpload


def _actor(user_id):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@contextlib.contextmanager
def _request(request_id: str):
    token = request_context.set({"request_id": request_id, "ip": None})
    try:
        yield
    finally:
        request_context.reset(token)


@task()
def analyse_upload(upload_id: int, user_id: int | None, request_id: str = "") -> dict:
    upload = LedgerUpload.objects.get(pk=upload_id)
    if upload.status == LedgerUpload.Status.CANCELLED:
        return {}
    with _request(request_id):
        services.analyse(upload, actor=_actor(user_id))
    upload.refresh_from_db()
    return upload.counts


@task()
def commit_upload(upload_id: int, user_id: int | None, request_id: str = "") -> dict:
    upload = LedgerUpload.objects.get(pk=upload_id)
    if upload.status == LedgerUpload.Status.CANCELLED:
        return {}
    try:
        with _request(request_id):
            services.commit(upload, actor=_actor(user_id))
    except services.ImportBusy as exc:
        LedgerUpload.objects.filter(pk=upload_id).update(
            status=LedgerUpload.Status.FAILED, message=str(exc)
        )
    upload.refresh_from_db()
    return upload.counts
