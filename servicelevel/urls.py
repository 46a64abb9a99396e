from django.contrib import admin
from django.urls import include, path

from api import account_views

from . import accounts, oidc, saml, views

admin.site.site_header = "Servicenivåportalen – administration"
admin.site.site_title = "Servicenivåportalen"
admin.site.index_title = "Regelverk och uppgifter"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("konto/logga-in/", accounts.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", accounts.LogoutView.as_view(), name="logout"),
    path("konto/api-nycklar/", account_views.api_tokens, name="api_tokens"),
    path("api/", include("api.urls")),
    path("konto/oidc/logga-in/", oidc.start, name="oidc_login"),
    path("konto/oidc/callback/", oidc.callback, name="oidc_callback"),
    # SAML 2 sign-in: 404 unless configured (servicelevel/saml.py).
    path("saml2/", include(saml.urlpatterns)),
    path("healthz", views.healthz, name="healthz"),
    path("", include("portal.urls")),
]
