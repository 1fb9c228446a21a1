"""How sensitive values are shown when the viewer has not asked (with the right) to see them."""

import re

# A phone number inside free text: 7 or more digits, possibly split by - or spaces.
_NUMBER_IN_TEXT = re.compile(r"\d[\d\- ]{5,}\d")


def mask_id_number(value: str | None) -> str:
    """``110105********002X``: area code and the last four stay, the birth date is hidden."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_numbers_in_text(value: str | None) -> str:
    """Free text that may hold phone numbers ("联系人：张敏，电话：13912345678"): each number
    masked as a phone, the words kept."""
    if not value:
        return ""
    return _NUMBER_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), value)
