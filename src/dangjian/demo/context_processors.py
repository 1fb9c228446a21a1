"""The demo's sign-ins, shown on the sign-in page in demo mode.

Provided by the demo app so that ``access`` (a lower layer) never imports the demo or the case
collection's demo users."""

from django.conf import settings


def demo_sign_ins(request):
    if not settings.DEMO_MODE:
        return {}
    from dangjian.cases.demo_data import EXTRA_USERS
    from dangjian.demo.personas import PERSONAS

    extra = [{"username": u, "password": p, "title": t} for u, p, t, _ in EXTRA_USERS]
    return {"demo_personas": [*PERSONAS, *extra]}
