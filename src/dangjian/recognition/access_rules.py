"""Who sees honours and exemplary people and works, registered with ``dangjian.access.scope``:
they follow the unit they were given to."""

from dangjian.access import scope

from .models import Recognition


def register() -> None:
    scope.register(
        Recognition,
        lambda user, action: scope.filter_by_organization(Recognition.objects.all(), user, action),
    )
