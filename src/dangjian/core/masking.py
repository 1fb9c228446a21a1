"""How sensitive values are shown when the viewer has not asked (with the right) to see them."""


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
