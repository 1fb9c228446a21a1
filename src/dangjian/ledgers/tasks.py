"""Background work (django-tasks): checking and importing large uploads.

Each task takes the request id of the action that queued it (``audit.current_request_id()`` at
enqueue time), so the audit rows of a queued import share the id of the click that started it.
"""

from django.contrib.auth import get_user_model
from django_tasks import task

from dangjian.core import audit
from dangjian.ledgers import services
from dangjian.ledgers.models import LedgerUpload


def _actor(user_id):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@task()
def analyse_upload(upload_id: int, user_id: int | None, request_id: str = "") -> dict:
    upload = LedgerUpload.objects.get(pk=upload_id)
    if upload.status == LedgerUpload.Status.CANCELLED:
        return {}
    with audit.context(request_id=request_id):
        services.analyse(upload, actor=_actor(user_id))
    upload.refresh_from_db()
    return upload.counts


@task()
def commit_upload(upload_id: int, user_id: int | None, request_id: str = "") -> dict:
    upload = LedgerUpload.objects.get(pk=upload_id)
    if upload.status == LedgerUpload.Status.CANCELLED:
        return {}
    try:
        with audit.context(request_id=request_id):
            services.commit(upload, actor=_actor(user_id))
    except services.ImportBusy as exc:
        LedgerUpload.objects.filter(pk=upload_id).update(
            status=LedgerUpload.Status.FAILED, message=str(exc)
        )
    upload.refresh_from_db()
    return upload.counts
