"""Report permissions granted to roles (issue #12 §9): every office reads and runs reports on its own
rows (the datasets are scoped); the county office and the administrator edit definitions."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR,
                 roles.ADMIN):
        grant(role, "reports.view_report")
    for role in (roles.COUNTY, roles.ADMIN):
        grant(role, "reports.edit_report")
