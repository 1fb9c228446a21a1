"""``{{ amount_fen|yuan }}``: fen shown as 元 with two decimals (``core.money.yuan``)."""

from django import template

from dangjian.core.money import yuan as as_yuan

register = template.Library()


@register.filter
def yuan(fen):
    return as_yuan(fen) if isinstance(fen, int) else ""
