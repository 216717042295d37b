import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_landing_page_requires_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "home"), [
    ("alice", "/dashboard/"), ("bob", "/dashboard/"), ("charlie", "/visits/mine/"),
])
def test_each_role_lands_on_its_own_page(client, persona, home, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_an_officer_cannot_reach_the_supervisor_dashboard(client, charlie):
    client.force_login(charlie)
    assert client.get("/dashboard/").status_code == 404


def test_a_user_without_a_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get("/").status_code == 404
