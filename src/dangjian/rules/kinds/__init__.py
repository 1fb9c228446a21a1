"""The rule kinds: each implemented once, as set-based queries (registered with ``@kind``)."""

from dangjian.rules.kinds import (  # noqa: F401
    attendance,
    dormancy,
    dues,
    formation,
    governance,
    integrity,
    orglife,
    recruitment,
    standards,
    terms,
    transfers,
)
