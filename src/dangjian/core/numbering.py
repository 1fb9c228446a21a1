"""Numbered registers (发文登记, 介绍信存根): the next number of a register in a year, gap-free
and unique under concurrency, and the 文号 as GB/T 9704 writes it.

``take`` locks the register's counter row (creating it once) inside the caller's transaction:
two officers numbering at once get consecutive numbers, and a transaction that fails after
taking a number gives it back (the row's update rolls back with it), so the register keeps no
gap. Every numbered register of the project takes its numbers here.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from dangjian.core.models import Counter


def take(register: str, year: int) -> int:
    """The next number of ``register`` in ``year`` (1, 2, 3 …). Call inside a transaction."""
    row = _locked(register, year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def record(register: str, year: int, serial: int) -> None:
    """Enter in ``register`` a number already printed before the register was kept here (a
    paper register's letter, imported from a ledger): the register's next number then follows
    the highest one recorded, so the system never hands a printed number out again. Numbers
    below it that no record holds are the paper register's, not gaps the system made.
    Call inside a transaction; whether ``serial`` is already held is the caller's check."""
    _locked(register, year)
    Counter.objects.filter(register=register, year=year, last__lt=serial).update(last=serial)


def _locked(register: str, year: int) -> Counter:
    rows = Counter.objects.select_for_update().filter(register=register, year=year)
    row = rows.first()
    if row is None:
        try:
            with transaction.atomic():
                Counter.objects.create(register=register, year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        row = rows.get()
    return row


def last(register: str, year: int) -> int:
    """The last number taken in ``register`` in ``year`` (0 when none)."""
    row = Counter.objects.filter(register=register, year=year).first()
    return row.last if row else 0


def doc_number(prefix: str, year: int, serial: int) -> str:
    """文号 as GB/T 9704 writes it: 津网联〔2026〕12号 (六角括号, no leading zeros)."""
    return f"{prefix}〔{year}〕{serial}号"


_DOC_NUMBER = re.compile(
    r"^(?P<prefix>.+?)[〔\[［(（](?P<year>\d{4})[〕\]］)）]第?(?P<serial>\d+)号$"
)


def parse_doc_number(text: str) -> tuple[str, int, int] | None:
    """(prefix, year, serial) of a 文号 as printed (``doc_number``'s form; square or round
    brackets as older registers wrote them), or None when it is not in that form."""
    found = _DOC_NUMBER.match(re.sub(r"\s", "", text or ""))
    if found is None:
        return None
    return found["prefix"], int(found["year"]), int(found["serial"])
