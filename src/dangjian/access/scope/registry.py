"""The registry: one visibility rule per model, one lookup (visible, get, get_with_rights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from dangjian.access.models import Action
from dangjian.access.scope.grants import AnyUser, M

# -- the registry: one rule per model, one lookup ----------------------------------------------
Rule = Callable[[AnyUser, str], QuerySet[Any]]
Public = Callable[[], QuerySet[Any]]
_RULES: dict[type[Model], Rule] = {}
_PUBLIC: dict[type[Model], Public] = {}


@overload
def register(model: type[Model], rule: Rule, *, public: Public | None = None) -> Rule: ...
@overload
def register(
    model: type[Model], rule: None = None, *, public: Public | None = None
) -> Callable[[Rule], Rule]: ...
def register(
    model: type[Model], rule: Rule | None = None, *, public: Public | None = None
) -> Rule | Callable[[Rule], Rule]:
    """Declare who sees ``model``: ``rule(user, action) -> QuerySet``. Usable as a decorator.

    ``public()`` (optional) returns the objects shown to everyone, signed in or not (e.g.
    published cases); the leak test does not count them as hidden.
    """

    def add(rule: Rule) -> Rule:
        if _RULES.get(model, rule) is not rule:
            raise ValueError(f"{model.__name__} already has a visibility rule")
        _RULES[model] = rule
        if public is not None:
            _PUBLIC[model] = public
        return rule

    return add(rule) if rule is not None else add


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def public(model: type[M]) -> QuerySet[M]:
    """The objects of ``model`` that are shown to everyone (none unless registered so)."""
    return _PUBLIC[model]() if model in _PUBLIC else model._default_manager.none()


@overload
def visible(model: type[M], user: AnyUser, action: str = ...) -> QuerySet[M]: ...
@overload
def visible(model: str, user: AnyUser, action: str = ...) -> QuerySet[Any]: ...
def visible(model: type[Model] | str, user: AnyUser, action: str = Action.VIEW) -> QuerySet[Any]:
    """The objects of ``model`` the user may reach for ``action``.

    ``model`` may be given by label ("rules.Finding"), so a page can read the objects of a
    layer above its app without importing it."""
    if isinstance(model, str):
        model = apps.get_model(model)
    try:
        rule = _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no visibility rule in dangjian.access") from None
    return rule(user, action)


def _restricted(
    user: AnyUser, model_or_qs: type[Model] | QuerySet[Any] | str, action: str
) -> QuerySet[Any]:
    if isinstance(model_or_qs, str):
        model_or_qs = apps.get_model(model_or_qs)
    if isinstance(model_or_qs, QuerySet):
        model = model_or_qs.model
        # Tested on the one row fetched (``get``), not as an IN over every visible row: SQLite
        # materialized the whole scope (all 1.5 million meetings for an administrator).
        return model_or_qs.filter(Exists(visible(model, user, action).filter(pk=OuterRef("pk"))))
    return visible(model_or_qs, user, action)


@overload
def get(user: AnyUser, model_or_qs: type[M] | QuerySet[M], pk: object, action: str = ...) -> M: ...
@overload
def get(user: AnyUser, model_or_qs: str, pk: object, action: str = ...) -> Any: ...
def get(
    user: AnyUser,
    model_or_qs: type[Model] | QuerySet[Any] | str,
    pk: object,
    action: str = Action.VIEW,
) -> Any:
    """One object the user may reach for ``action``; missing and forbidden are both 404.

    ``model_or_qs`` may be a queryset (for select_related, or a narrower set such as a
    campaign's submissions); the registered rule is applied on top of it.
    """
    return get_visible_or_404(_restricted(user, model_or_qs, action), pk=pk)


@overload
def get_with_rights(
    user: AnyUser, model_or_qs: type[M] | QuerySet[M], pk: object, action: str = ...
) -> tuple[M, frozenset[str]]: ...
@overload
def get_with_rights(
    user: AnyUser, model_or_qs: str, pk: object, action: str = ...
) -> tuple[Any, frozenset[str]]: ...
def get_with_rights(
    user: AnyUser,
    model_or_qs: type[Model] | QuerySet[Any] | str,
    pk: object,
    action: str = Action.VIEW,
) -> tuple[Any, frozenset[str]]:
    """The object (as ``get``) and the actions the user may take on it, in one query."""
    qs = _restricted(user, model_or_qs, action)
    model = qs.model
    others = [a for a in Action.values if a != action]
    qs = qs.annotate(
        **{f"_may_{a}": Exists(visible(model, user, a).filter(pk=OuterRef("pk"))) for a in others}
    )
    obj = get_visible_or_404(qs, pk=pk)
    rights = {action} | {a for a in others if getattr(obj, f"_may_{a}")}
    return obj, frozenset(rights)


def get_visible_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from an already-scoped queryset; missing and forbidden are both 404."""
    try:
        return queryset.get(**lookup)
    # ``get`` raises only its own model's DoesNotExist, a subclass of this one.
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
