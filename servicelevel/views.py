from django.shortcuts import render

from .models import Decision


def home(request):
    """Swedish start page: what the portal is, the login, and the way into the admin."""
    return render(request, "home.html", {"decision": Decision.objects.order_by("-in_force_from").first()})
