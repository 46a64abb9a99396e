"""The portal's own login and logout (/konto/…), the lockout after five wrong passwords, and the
navigation each role sees."""

import pytest
from django.test import Client

from units.permissions import Roles, ensure_groups

from . import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"
PASSWORD = "ett-långt-lösenord"


@pytest.fixture
def karin():
    user = f.UserFactory(username="karin", first_name="Karin", last_name="Koncernstab")
    user.set_password(PASSWORD)
    user.save()
    return user


def user_with_role(role, **fields):
    user = f.UserFactory(**fields)
    user.groups.add(ensure_groups()[role])
    return user


def test_it_shows_a_swedish_login_form(client):
    html = client.get(LOGIN).content.decode()
    assert '<label class="ds-label" for="id_username">Användarnamn</label>' in html
    assert '<label class="ds-label" for="id_password">Lösenord</label>' in html
    assert 'autocomplete="current-password"' in html
    assert ">Logga in</button>" in html


def test_it_logs_in_and_goes_to_the_page_asked_for(client, karin):
    response = client.post(LOGIN, {"username": "karin", "password": PASSWORD, "next": "/enheter/"})
    assert response.status_code == 302 and response["Location"] == "/enheter/"
    assert client.session["_auth_user_id"] == str(karin.pk)


def test_it_logs_in_to_the_start_page_by_default(client, karin):
    response = client.post(LOGIN, {"username": "karin", "password": PASSWORD})
    assert response["Location"] == "/"


def test_a_logged_in_user_on_the_login_page_goes_on_to_the_start_page(client, karin):
    client.force_login(karin)
    assert client.get(LOGIN)["Location"] == "/"


def test_it_refuses_an_unsafe_next(client, karin):
    response = client.post(
        LOGIN, {"username": "karin", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_in_swedish_and_marks_the_fields(client, karin):
    response = client.post(LOGIN, {"username": "karin", "password": "fel"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ange ett korrekt användarnamn och lösenord" in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert 'value="karin"' in html  # the username is kept, the password is not


def test_logout_is_a_post_and_says_so_on_the_login_page(client, karin):
    client.force_login(karin)
    assert client.get("/konto/logga-ut/").status_code == 405  # a link or prefetch cannot log anyone out
    response = client.post("/konto/logga-ut/", follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Du är utloggad." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_the_csrf_token(karin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(karin)
    assert client.post("/konto/logga-ut/").status_code == 403


def test_five_wrong_passwords_lock_the_username_from_that_address(client, karin):
    for _ in range(4):
        assert client.post(LOGIN, {"username": "karin", "password": "fel"}).status_code == 200
    locked = client.post(LOGIN, {"username": "karin", "password": "fel"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Inloggningen är tillfälligt spärrad" in html and "15 minuter" in html
    # The right password does not help while locked …
    assert client.post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session
    # … but another username from the same address, or the same username from elsewhere, still logs in.
    other = f.UserFactory(username="sven")
    other.set_password(PASSWORD)
    other.save()
    assert client.post(LOGIN, {"username": "sven", "password": PASSWORD}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(client, karin, time_machine):
    time_machine.move_to("2026-11-20 09:00 +01:00", tick=False)
    for _ in range(5):
        client.post(LOGIN, {"username": "karin", "password": "fel"})
    time_machine.move_to("2026-11-20 09:14 +01:00", tick=False)
    assert client.post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code == 429
    time_machine.move_to("2026-11-20 09:30 +01:00", tick=False)  # 15 minutes after the last try
    assert client.post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code == 302


def test_a_success_clears_the_failures(client, karin):
    for _ in range(4):
        client.post(LOGIN, {"username": "karin", "password": "fel"})
    assert client.post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code == 302
    client.post("/konto/logga-ut/")
    for _ in range(4):
        assert client.post(LOGIN, {"username": "karin", "password": "fel"}).status_code == 200


def test_the_test_clients_login_still_works_without_a_request(karin):
    """axes needs a request to lock; logins without one (tests, scripts) pass its check untouched."""
    assert Client().login(username="karin", password=PASSWORD)
    assert not Client().login(username="karin", password="fel")


def nav_labels(client, user) -> list[str]:
    import re

    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="portal-nav"') : html.index("</nav>")]
    return re.findall(r'class="portal-nav__link"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    "role, staff, import_, admin",
    [
        (Roles.KONCERNSTAB, True, True, True),
        (Roles.KONCERNSTAB, False, True, False),
        (Roles.HS_STYRNING, False, True, False),
        (Roles.HS_STYRNING, True, True, False),  # staff, but the admin is Koncernstab's tool
        (Roles.LEDNING, False, False, False),
        (Roles.VERKSAMHETSCHEF, False, False, False),
        (Roles.VARDGIVARE, False, False, False),
    ],
)
def test_the_navigation_follows_the_role(client, role, staff, import_, admin):
    labels = nav_labels(client, user_with_role(role, is_staff=staff))
    assert labels[:3] == ["Översikt", "Enheter", "Jämförelse"]
    assert ("Import" in labels) == import_
    assert ("Admin" in labels) == admin


def test_the_current_section_is_marked_for_assistive_technology(client, karin):
    client.force_login(karin)
    html = client.get("/").content.decode()
    assert 'href="/" aria-current="page">Översikt' in html
    assert 'href="/enheter/">Enheter' in html


def test_anonymous_pages_have_no_navigation(client):
    html = client.get(LOGIN).content.decode()
    assert "portal-nav" not in html and "Logga ut" not in html


@pytest.mark.parametrize(
    "trusted, remote, forwarded, counted",
    [
        # No proxy trusted: the header is anyone's to write, the connection's address counts.
        ([], "10.0.0.5", "203.0.113.9, 198.51.100.7", "10.0.0.5"),
        # A client that reaches the server past the proxy cannot name an address either.
        (["10.0.0.5"], "192.0.2.44", "198.51.100.7", "192.0.2.44"),
        # From the proxy: the address the proxy appended (the rightmost); what came before is the client's.
        (["10.0.0.5"], "10.0.0.5", "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        # A chain of trusted proxies (a network): the rightmost address that is not one of them.
        (["10.0.0.0/24"], "10.0.0.5", "203.0.113.9, 198.51.100.7, 10.0.0.6", "198.51.100.7"),
        # The proxy's own request (nothing forwarded, or only proxies): the proxy's address.
        (["10.0.0.5"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.0/24"], "10.0.0.5", "10.0.0.7", "10.0.0.7"),
        # Ports and brackets some proxies write; IPv6; IPv4 seen through an IPv6 socket.
        (["10.0.0.5"], "10.0.0.5", "198.51.100.7:51234", "198.51.100.7"),
        (["2001:db8::/64"], "2001:db8::1", "2001:db8:1::9", "2001:db8:1::9"),
        (["10.0.0.5"], "::ffff:10.0.0.5", "[2001:db8:1::9]:443", "2001:db8:1::9"),
        # What is not an address (a broken proxy) is not counted as one: the proxy's address instead.
        (["10.0.0.5"], "10.0.0.5", "unknown", "10.0.0.5"),
    ],
)
def test_lockouts_count_the_client_the_trusted_proxy_names(rf, settings, trusted, remote, forwarded, counted):
    from servicelevel.security import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if trusted else None
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == counted


def test_ten_wrong_passwords_from_different_addresses_lock_the_account_everywhere(karin, time_machine):
    """Per username as well as per (username, address): an attacker with many addresses gets ten tries in
    a quarter of an hour, not five per address."""
    time_machine.move_to("2026-11-20 09:00 +01:00", tick=False)
    for i in range(9):
        assert (
            Client(REMOTE_ADDR=f"203.0.113.{i}")
            .post(LOGIN, {"username": "karin", "password": "fel"})
            .status_code
            == 200
        )
    locked = Client(REMOTE_ADDR="203.0.113.9").post(LOGIN, {"username": "karin", "password": "fel"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Kontot är spärrat från alla datorer" in html and "kl. 09:15" in html
    # Karin at her own computer is refused too until the quarter has passed …
    assert (
        Client(REMOTE_ADDR="10.1.2.3").post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code
        == 429
    )
    # … then she logs in.
    time_machine.move_to("2026-11-20 09:16 +01:00", tick=False)
    assert (
        Client(REMOTE_ADDR="10.1.2.3").post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code
        == 302
    )


def test_nine_wrong_passwords_from_different_addresses_lock_nothing(karin):
    for i in range(9):
        Client(REMOTE_ADDR=f"203.0.113.{i}").post(LOGIN, {"username": "karin", "password": "fel"})
    assert (
        Client(REMOTE_ADDR="10.1.2.3").post(LOGIN, {"username": "karin", "password": PASSWORD}).status_code
        == 302
    )


def test_the_lockout_page_says_when_to_try_again(client, karin, time_machine):
    time_machine.move_to("2026-11-20 09:00 +01:00", tick=False)
    for _ in range(4):
        client.post(LOGIN, {"username": "karin", "password": "fel"})
    time_machine.move_to("2026-11-20 09:03 +01:00", tick=False)
    html = client.post(LOGIN, {"username": "karin", "password": "fel"}).content.decode()
    assert "spärrad från den här datorn" in html
    assert "Försök igen kl. 09:18" in html  # 15 minutes after the last try
