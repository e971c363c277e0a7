"""The to-do page 待办 (issue #11 §2): what waits on the signed-in user, overdue first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from microcredit.apps.core.todo import todo_for
from microcredit.domain.todo import SUPERVISED_ROLES


@login_required
def todo_page(request):
    todo = todo_for(request.user)
    return render(request, "core/todo.html", {
        "todo": todo, "rest": todo.total - len(todo.items), "below_rest": todo.below_total - len(todo.below),
        "supervises": getattr(request.user, "role", "") in SUPERVISED_ROLES,
    })
