"""Background rule runs (django-tasks; the database backend by default, ``db_worker`` runs them).

The run's progress is written to its ``EvaluationRun`` row after each rule, so the page can poll
it with htmx while the worker computes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from dangjian.core import audit
from dangjian.rules.models import EvaluationRun, RuleState


def execute(run: EvaluationRun) -> EvaluationRun:
    from dangjian.rules.engine import Engine

    engine = Engine(run.federation, run.as_of)
    run.state = EvaluationRun.State.RUNNING
    run.started_at = timezone.now()
    run.steps_total = len(engine.rule_ids)
    run.save(update_fields=["state", "started_at", "steps_total", "updated_at"])

    def progress(rule_id, done, total):
        # The step as the page shows it: the rule's title.
        step = engine.book.title(rule_id) if rule_id else ""
        EvaluationRun.objects.filter(pk=run.pk).update(
            steps_done=done, current_step=step[:100], updated_at=timezone.now()
        )

    try:
        results = engine.run(progress)
    except Exception as exc:
        run.state = EvaluationRun.State.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at", "updated_at"])
        raise
    run.refresh_from_db()
    run.state = EvaluationRun.State.DONE
    run.steps_done = run.steps_total
    run.current_step = ""
    run.finished_at = timezone.now()
    run.summary = {
        r.rule_id: {
            "found": r.found,
            "skipped": r.skipped,
            "created": r.created,
            "resolved": r.resolved,
            "reopened": r.reopened,
        }
        for r in results
    }
    run.save()
    return run


@task()
def evaluate_rulebook(run_id: int, request_id: str = "") -> dict:
    """``request_id``: the id of the request that queued the run, so its audit rows share it."""
    run = EvaluationRun.objects.select_related("federation").get(pk=run_id)
    with audit.context(request_id=request_id):
        return execute(run).summary


def follow() -> dict:
    """The findings follow the facts: for every federation evaluated today, the rules the
    journal of touched subjects allows to re-evaluate incrementally, for the subjects touched
    (``Engine.run(follow_only=True)``); the others wait for the next run."""
    from dangjian.registry.models import Federation
    from dangjian.rules.engine import Engine

    today = timezone.localdate()
    summary = {}
    roots = RuleState.objects.filter(as_of=today).values("federation").distinct()
    for root in Federation.objects.filter(pk__in=roots).order_by("pk"):
        results = Engine(root, today).run(follow_only=True)
        summary[root.pk] = {
            r.rule_id: {"created": r.created, "resolved": r.resolved, "updated": r.updated}
            for r in results
            if not r.skipped
        }
    return summary


@task()
def follow_facts() -> dict:
    return follow()


def on_touch() -> None:
    """``core.touch``'s listener (after the commit of a write that marked the journal)."""
    how = settings.DANGJIAN_FOLLOW_FACTS
    if how == "request":
        follow()
    elif how == "task":
        follow_facts.enqueue()
