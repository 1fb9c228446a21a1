"""Synthetic party members: Faker zh_CN names, valid ID numbers, consistent dates."""

import datetime
import random

from dangjian.party import services as party
from dangjian.party.models import PartyMember

from . import identity

ETHNICITIES = ["汉族"] * 18 + ["回族", "满族"]
EDUCATION = ["bachelor"] * 5 + ["master"] * 3 + ["college", "doctor"]


class PeopleFactory:
    def __init__(self, faker, rng: random.Random, seed: int):
        faker.seed_instance(seed)
        self.faker = faker
        self.rng = rng

    def name(self) -> str:
        return self.faker.name()

    def street(self) -> str:
        return self.faker.street_address()

    def member_fields(self, *, probationary: bool, today: datetime.date) -> dict:
        rng = self.rng
        male = rng.random() < 0.6
        birth = datetime.date(rng.randrange(1960, 1998), rng.randrange(1, 13), rng.randrange(1, 29))
        joined = birth.replace(year=birth.year + rng.randrange(20, 26))
        if probationary:
            # Joined within the last year: still in the one-year probation.
            joined = today - datetime.timedelta(days=rng.randrange(30, 330))
            full_on = None
        else:
            joined = min(joined, today - datetime.timedelta(days=800))
            full_on = joined + datetime.timedelta(days=365)
        return {
            "name": self.faker.name_male() if male else self.faker.name_female(),
            "gender": PartyMember.Gender.MALE if male else PartyMember.Gender.FEMALE,
            "ethnicity": rng.choice(ETHNICITIES),
            "birth_date": birth,
            "id_number": identity.id_number(rng, birth, male),
            "phone": identity.phone(rng),
            "education": rng.choice(EDUCATION),
            "joined_party_on": joined,
            "full_member_on": full_on,
        }

    def member(self, *, probationary: bool, today: datetime.date, relation=None, external=""):
        return party.create_member(
            {
                **self.member_fields(probationary=probationary, today=today),
                "relation_party_organization": relation,
                "relation_external": external,
            },
            actor=None,
        )
