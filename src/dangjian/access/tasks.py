"""Background work of this app (django-tasks; ``db_worker`` runs it): large exports."""

from django_tasks import task

from dangjian.core import audit


@task()
def make_export(export_id: int, ip: str | None = None, request_id: str = "") -> None:
    """``background_exports.make``, its audit rows under the id and address of the click."""
    from dangjian.access import background_exports

    with audit.context(request_id=request_id, ip=ip):
        background_exports.make(export_id)
