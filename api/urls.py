"""/api/v1/… (the API, namespace "api"), /api/schema/ (OpenAPI 3) and /api/docs/ (Redoc)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/units/", views.UnitList.as_view(), name="units"),
    path("v1/units/<str:hsa_id>/", views.UnitDetail.as_view(), name="unit"),
    path("v1/rulebook/", views.RulebookView.as_view(), name="rulebook"),
    path("v1/exemptions/", views.ExemptionList.as_view(), name="exemptions"),
    path("v1/exemptions/<str:exemption_id>/", views.ExemptionDetail.as_view(), name="exemption"),
    # Any number is a job's id (a negative or too large one is none: 404), never an import kind.
    re_path(r"^v1/imports/(?P<job_id>-?[0-9]+)/$", views.ImportJobView.as_view(), name="import_job"),
    path("v1/imports/<str:kind>/", views.ImportStart.as_view(), name="import_start"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.Docs.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", views.NotFoundView.as_view()),
]
