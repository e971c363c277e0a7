"""English follows the browser (issue #11 §9) on the demo county (seed 1, test scale).

With ``Accept-Language: en`` and no language cookie, the dashboard, the to-do list, the household
list, a household page and the loan list render their chrome in English — headings, menu, table
headers, buttons, filter labels carry no Chinese character (data values such as names stay
Chinese); the language switch names each language in its own name; without the header the pages
stay Chinese; and the catalogue leaves no msgid untranslated or fuzzy.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import Loan
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)
HAN = re.compile(r"[\u4e00-\u9fff]")
CHROME = {"h1", "h2", "h3", "th", "button", "label", "summary", "legend", "dt", "title"}


class _Chrome(HTMLParser):
    """The text directly inside chrome elements (headings, headers, buttons, labels, menu)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in {"input", "br", "meta", "link", "img"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] in CHROME and data.strip():
            self.texts.append(data.strip())


def _chrome(html: str, data: tuple[str, ...] = ()) -> list[str]:
    """Chrome texts still holding a Chinese character once the given data values are removed."""
    parser = _Chrome()
    parser.feed(html)
    out = []
    for text in parser.texts:
        for value in data:
            text = text.replace(value, "")
        if HAN.search(text):
            out.append(text)
    return out


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pinned_business_date(DAY), transaction.atomic():
        ctx = generate(seed=1, scale=scale_for("test"), business_date=DAY, progress=io.StringIO())
        user = ctx.users["county"]
        loan = Loan.objects.select_related("household__village__parent").first()
        household = loan.household
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        urls = {"dashboard": "/", "todo": "/todo/", "households": "/households/", "loans": "/loans/",
                "household": f"/households/{household.pk}/", "loan": f"/loans/{loan.pk}/"}
        out = {name: client.get(url).content.decode() for name, url in urls.items()}
        chinese = Client()
        chinese.force_login(user)
        out["chinese"] = chinese.get("/households/").content.decode()
        out["data"] = (str(user), user.get_full_name() or "~", household.head_name, household.village.name,
                       household.village.parent.name, loan.bank.name, "简体中文")
        transaction.set_rollback(True)
    return out


@pytest.mark.parametrize("name", ["dashboard", "todo", "households", "loans", "household", "loan"])
def test_the_chrome_is_english(pages, name):
    assert _chrome(pages[name], pages["data"]) == []


def test_specific_headings_and_the_menu_are_translated(pages):
    assert "<h1>To-do</h1>" in pages["todo"]
    assert "<h1>Households</h1>" in pages["households"] or ">Households<" in pages["households"]
    assert "<h1>Loans</h1>" in pages["loans"]
    assert "Head of household" in pages["households"]
    assert "Household members" in pages["household"] or "Household member" in pages["household"]


def test_the_switch_names_each_language_in_its_own_name(pages):
    for html in (pages["dashboard"], pages["chinese"]):
        assert re.search(r">English</button>\s*/\s*<button[^>]*>简体中文</button>", html)
    assert "英语" not in pages["chinese"]


def test_without_the_header_the_pages_stay_chinese(pages):
    assert "农户档案" in pages["chinese"] and "户主" in pages["chinese"]


def _entries(po: str):
    """(msgid, msgstr, flags) of each entry of a .po file (no polib in the venv)."""
    def joined(key, block):
        m = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.MULTILINE)
        return "".join(re.findall(r'"(.*)"', m.group(1))) if m else None

    for block in po.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        yield joined("msgid", block), joined("msgstr", block), flags


def test_the_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = (Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po").read_text()
    entries = [e for e in _entries(po) if e[0]]
    assert len(entries) > 900
    assert [mid for mid, mstr, _ in entries if not mstr] == []
    assert [mid for mid, _, flags in entries if "fuzzy" in flags] == []


def test_the_domain_words_are_listed_for_the_catalogue():
    """domain/ cannot call gettext_noop: its labels are listed in core.domain_words (regenerate with
    `python -m microcredit domain-words`), so makemessages puts them in the catalogue."""
    from microcredit.apps.core import domain_words

    assert list(domain_words.WORDS) == domain_words.vocabulary()
    po = (Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert [w for w in domain_words.WORDS if f'msgid "{w}"' not in po] == []
