"""No menu item of any role leads to a 404 (issue 16): every link in the navigation bar of
every demo persona's home page opens."""

import re

import pytest
from django.urls import reverse

from dangjian.demo.personas import PERSONAS

pytestmark = pytest.mark.django_db


def menu_links(html: str) -> list[str]:
    nav = html[html.index('id="mainnav"') : html.index("</nav>")]
    return sorted(
        {
            href
            for href in re.findall(r'href="([^"#][^"]*)"', nav)
            if not href.startswith(("http", "mailto"))
        }
    )


@pytest.mark.parametrize("persona", [p["username"] for p in PERSONAS])
def test_every_menu_item_opens(persona_client, persona):
    client = persona_client(persona)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    links = menu_links(home.content.decode())
    assert links, "a signed-in user always has a menu (at least their own account)"
    broken = {}
    for link in links:
        status = client.get(link.replace("&amp;", "&")).status_code
        if status >= 400:
            broken[link] = status
    assert broken == {}
