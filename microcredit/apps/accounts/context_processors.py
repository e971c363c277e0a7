from microcredit.apps.accounts.navigation import menu_for
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.core.clock import business_date


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_menu": menu_for(user),
        "role_label": ROLE_LABELS.get(user.role, "管理员" if user.is_superuser else ""),
        "business_date": business_date(),
    }
