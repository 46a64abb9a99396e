from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Servicenivåportalen – administration"
admin.site.site_title = "Servicenivåportalen"
admin.site.index_title = "Regelverk och uppgifter"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("portal.urls")),
]
