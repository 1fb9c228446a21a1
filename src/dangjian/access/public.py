"""Marking the few views that anyone may open without a role (sign-in, published cases,
an applicant's invitation form). The URL-enumeration leak test skips only views marked here,
so forgetting to scope a new page fails the suite instead of leaking."""

from typing import Any, TypeVar

V = TypeVar("V")


def public(view: V) -> V:
    view.dangjian_public = True  # type: ignore[attr-defined]  # a mark on any view object
    return view


def is_public(view: Any) -> bool:
    view = getattr(view, "view_class", view)
    return bool(getattr(view, "dangjian_public", False))
