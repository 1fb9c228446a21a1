"""Synthetic identifiers with valid check digits (never real people or real units)."""

import datetime
import random

from stdnum.cn import ric, uscc

from dangjian.core.validators import org_code_check_digit

# Tianjin district codes that python-stdnum knows for birth years from 1950 on.
AREA_CODES = ["120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111"]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # characters also valid inside a USCC


def id_number(rng: random.Random, birth: datetime.date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def org_code(rng: random.Random) -> str:
    body = "".join(rng.choice(ORG_ALPHABET[:10] + "ABCDEFGH") for _ in range(8))
    return body + org_code_check_digit(body)


def social_credit_code(rng: random.Random, dept_type: str, area: str = "120000") -> str:
    """``dept_type``: "51" social group, "52" private non-enterprise, "53" foundation, "91" company."""
    code = org_code(rng)
    body = f"{dept_type}{area}{code}"
    return body + uscc.calc_check_digit(body)


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
