"""Background work of this app (django-tasks; ``db_worker`` runs it): large exports."""

from django_tasks import task

from dangjian.core import audit


@task()
def make_export(export_id: int, request_id: str = "") -> None:
    """``background_exports.make``, its audit rows under the id of the click that asked."""
    from dangjian.access import background_exports

    with audit.context(request_id=request_id):
        background_exports.make(export_id)
