"""Who sees ledger uploads and column mappings, registered with ``dangjian.access.scope``:
the officers of the federation they were uploaded to (uploads are working files of the
import, so reading them needs the right to import: EDIT)."""

from dangjian.access import scope
from dangjian.access.models import Action

from .models import LedgerMapping, LedgerUpload


def _by_federation(model):
    def rule(user, action):
        # Reading an upload is part of importing: whoever may read it may edit the ledger.
        needed = Action.EDIT if action == Action.VIEW else action
        return model.objects.filter(federation__in=scope.federations(user, needed).values("pk"))

    return rule


def register() -> None:
    scope.register(LedgerUpload, _by_federation(LedgerUpload))
    scope.register(LedgerMapping, _by_federation(LedgerMapping))
