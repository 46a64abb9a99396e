"""Small readers for environment variables, so settings say what they read and how."""

import os

TRUE_WORDS = {"1", "true", "yes", "ja", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def trusted_proxies() -> list[str]:
    """DJANGO_TRUSTED_PROXIES: the reverse proxy's addresses or networks (CIDR), comma-separated — the
    only peers whose X-Forwarded-For and X-Forwarded-Proto are believed. Read by the settings and by
    gunicorn.conf.py (its `forwarded_allow_ips`), so Django and gunicorn trust the same addresses.

    Only together with DJANGO_BEHIND_PROXY=1, and that needs at least one: behind a proxy trusted from
    nowhere every HTTPS request would look like plain HTTP and be redirected again, in a loop. Anything
    else stops startup with the variable's name (docs/deployment.md)."""
    import ipaddress

    from django.core.exceptions import ImproperlyConfigured

    behind = env_bool("DJANGO_BEHIND_PROXY", default=False)
    proxies = env_list("DJANGO_TRUSTED_PROXIES", default=[])
    if behind and not proxies:
        raise ImproperlyConfigured(
            "DJANGO_BEHIND_PROXY=1 kräver DJANGO_TRUSTED_PROXIES: proxyns IP-adress eller nät (CIDR), "
            "kommaseparerade, t.ex. 10.0.0.5 eller 10.0.0.0/28. Portalen litar bara på X-Forwarded-For och "
            "X-Forwarded-Proto från de adresserna (docs/deployment.md)."
        )
    if proxies and not behind:
        raise ImproperlyConfigured(
            "DJANGO_TRUSTED_PROXIES är satt men inte DJANGO_BEHIND_PROXY=1. Sätt båda när portalen står "
            "bakom en proxy, annars ingen av dem."
        )
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            try:
                hint = f" (menade du {ipaddress.ip_network(proxy, strict=False)}?)"
            except ValueError:
                hint = ""
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {proxy!r} är varken en IP-adress eller ett nät i CIDR-form, "
                f"t.ex. 10.0.0.5 eller 10.0.0.0/28{hint}."
            ) from None
    return proxies
