"""The rulebook pages' URLs (/regelverk/), spread into portal/urls.py's list so they keep the `portal:`
namespace and the permission matrix (tests/portal/test_permission_matrix.py) sees each of them."""

from django.urls import path

from . import views

urlpatterns = [
    path("regelverk/", views.rulebook_list, name="rulebook_list"),
    path("regelverk/ladda-upp/", views.upload, name="rulebook_upload"),
    path("regelverk/<int:pk>/", views.version, name="rulebook_version"),
    path("regelverk/<int:pk>/fil/", views.version_file, name="rulebook_file"),
    path("regelverk/<int:pk>/utkast/", views.draft_new, name="rulebook_draft_new"),
    path("regelverk/utkast/<int:pk>/", views.draft, name="rulebook_draft"),
    path("regelverk/utkast/<int:pk>/fil/", views.draft_text, name="rulebook_draft_text"),
    path(
        "regelverk/utkast/<int:pk>/krav/ny/",
        views.draft_requirement_new,
        name="rulebook_draft_requirement_new",
    ),
    path(
        "regelverk/utkast/<int:pk>/krav/<str:code>/",
        views.draft_requirement,
        name="rulebook_draft_requirement",
    ),
    path(
        "regelverk/utkast/<int:pk>/krav/<str:code>/ta-bort/",
        views.draft_requirement_remove,
        name="rulebook_draft_requirement_remove",
    ),
    path("regelverk/utkast/<int:pk>/profil/<str:code>/", views.draft_profile, name="rulebook_draft_profile"),
    path("regelverk/utkast/<int:pk>/effekt/", views.draft_effect, name="rulebook_draft_effect"),
    path("regelverk/utkast/<int:pk>/publicera/", views.draft_publish, name="rulebook_draft_publish"),
    path("regelverk/utkast/<int:pk>/ta-bort/", views.draft_delete, name="rulebook_draft_delete"),
]
