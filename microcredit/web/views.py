"""Views of the shell: the dashboard. Figures come from selectors of the apps."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from microcredit.apps.accounts.scope import Scope
from microcredit.web.dashboard import dashboard_panels


@login_required
def dashboard(request):
    scope = Scope.of(request.user)
    return render(request, "dashboard.html", {"panels": dashboard_panels(request.user, scope)})
