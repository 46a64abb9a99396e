"""The portal's URLs (Swedish paths), included at the site root by servicelevel/urls.py. Each page's
views live in their own module under portal/views/."""

from django.urls import path  # noqa: F401 - used as pages are added

app_name = "portal"

urlpatterns: list = []
