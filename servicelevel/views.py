from django.shortcuts import render

from .models import Decision


def home(request):
    """Swedish start page: what the portal is, the login, and the way into the admin."""
    return render(request, "home.html", {"decision": Decision.objects.order_by("-in_force_from").first()})


def healthz(request):
    """For the container health check: answers 200 when the database answers."""
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
