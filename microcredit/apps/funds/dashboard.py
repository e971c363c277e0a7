"""Dashboard panel 政银保承保: the insurer's loans and its share of the claims on them (DOMAIN §1, §7)."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.funds import selectors
from microcredit.apps.funds.models import ClaimStatus


def insurer_panel(user, scope) -> dict | None:
    """Insured loans (count, balance; overdue and NPL balance) and the insurer's share of claims pending by
    state, paid and recovered this year, each a link to its list; for view_insured (insurer, county office,
    admin), and for others than the insurer only where a 政银保 scheme exists."""
    if not user.has_perm("funds.view_insured"):
        return None
    if not selectors.is_insurer(user) and not selectors.insured_accounts(user).exists():
        return None
    loans, claims = reverse("funds:insured"), reverse("funds:claims")
    figures = []
    for show, (label, _filters) in selectors.INSURED_VIEWS.items():
        agg = selectors.insured_loans(user=user, show=show).aggregate(n=Count("id"), s=Sum("principal_outstanding"))
        figures.append({"label": _("承保贷款（%(view)s）") % {"view": _(str(label))}, "count": agg["n"], "amount": agg["s"] or 0,
                        "url": f"{loans}?show={show}", "key": show})
    year = business_date().year
    rows = [(str(ClaimStatus(s).label), "status", s, selectors.party_share) for s in selectors.PENDING_CLAIMS]
    rows += [(_("%(year)s 年已代偿") % {"year": year}, "paid_year", year, selectors.party_share),
             (_("%(year)s 年追偿收回") % {"year": year}, "recovered_year", year, lambda c: selectors.recovered_share(c, year=year))]
    for label, name, value, share in rows:
        found = list(selectors.claim_list(user=user, insured=True, **{name: value}))
        figures.append({"label": _("代偿申请：%(what)s") % {"what": label}, "count": len(found), "amount": sum(map(share, found)),
                        "url": f"{claims}?insured=1&{name}={value}", "key": f"{name}-{value}"})
    return {"title": _("政银保承保（保险公司）"), "template": "funds/panel_insurer.html", "figures": figures}
