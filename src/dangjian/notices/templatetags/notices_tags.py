"""What the notices menu shows a user: writing notices (a sender) and notices to sign (whoever
answers for a unit, a party organization or themself)."""

from typing import Any

from django import template

from dangjian.notices.access_rules import receives_notices, sending_as

register = template.Library()


@register.simple_tag(takes_context=True)
def notice_menu(context: Any) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"send": False, "receive": False}
    return {"send": sending_as(user) is not None, "receive": receives_notices(user)}
