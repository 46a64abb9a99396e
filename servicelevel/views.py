from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The start page: anonymous visitors go to the login page; the dashboard replaces this placeholder."""
    return render(request, "home.html")


def healthz(request):
    """For the container health check: answers 200 when the database answers."""
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
