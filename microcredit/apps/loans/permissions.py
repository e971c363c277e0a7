"""Loan servicing permissions granted to roles (read by accounts.roles.sync_roles)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant

for _role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE,
              roles.INSURER, roles.AUDITOR, roles.ADMIN):
    grant(_role, "loans.view_loan")
grant(roles.BANK, "loans.post_repayment", "loans.service_loan")
grant(roles.ADMIN, "loans.post_repayment", "loans.service_loan")
