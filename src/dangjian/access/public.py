"""Marking the few views that anyone may open without a role (sign-in, published cases,
an applicant's invitation form). The URL-enumeration leak test skips only views marked here,
so forgetting to scope a new page fails the suite instead of leaking."""


def public(view):
    view.dangjian_public = True
    return view


def is_public(view) -> bool:
    view = getattr(view, "view_class", view)
    return bool(getattr(view, "dangjian_public", False))
