"""Forms of rating: survey entry on a phone, votes, objections, a new campaign.

Every field is bounded (``domain.bounds``): text by length (Django refuses NUL bytes), dates
within [1990, 2100], numbers by range. A campaign has no notice-length field: notice lengths are
the county's setting (DOMAIN §3, §12).
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from microcredit.apps.core.forms import DateInput, YuanField
from microcredit.apps.households.selectors import Health, SkillLevel
from microcredit.domain.bounds import MAX_DATE, MAX_ID, MAX_TEXT, MAX_YEAR, MIN_DATE, MIN_YEAR
from microcredit.domain.scorecards import HONOUR_BONUS, HONOUR_LABELS


class BoundedDateField(forms.DateField):
    """A date within ``domain.bounds`` (the arithmetic after it cannot overflow)."""

    widget = DateInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators += [MinValueValidator(MIN_DATE), MaxValueValidator(MAX_DATE)]


def _text(label: str, max_length: int = MAX_TEXT, rows: int = 2, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class CampaignForm(forms.Form):
    village = forms.ChoiceField(label="行政村")

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages]


class SurveyForm(forms.Form):
    income_per_head = YuanField(label="人均纯收入（元/年）", min_fen=0)
    able_labourers = forms.IntegerField(label="劳动力人数（16–65岁）", min_value=0, max_value=20)
    skill = forms.ChoiceField(label="劳动技能（最好者）", choices=SkillLevel.choices)
    head_age = forms.IntegerField(label="户主年龄", min_value=16, max_value=110)
    head_health = forms.ChoiceField(label="户主健康状况", choices=Health.choices)
    dependants = forms.IntegerField(label="需赡养/抚养人数", min_value=0, max_value=20)
    overdue_episodes_3y = forms.IntegerField(label="近3年逾期次数", min_value=0, max_value=20)
    public_order_record = forms.BooleanField(label="有违法违纪记录", required=False)


class ActForm(forms.Form):
    action = forms.CharField(label="操作", max_length=20)
    opinion = forms.CharField(label="意见", max_length=MAX_TEXT, required=False)


class VoteForm(forms.Form):
    voter = forms.CharField(label="评议委员", max_length=32)
    score = forms.IntegerField(label="诚信度打分（0–100）", min_value=0, max_value=100)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label="提出人", max_length=32)
    text = _text("异议内容")
    rating = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)


class ResolveForm(forms.Form):
    resolution = _text("处理结果")


class BlacklistForm(forms.Form):
    reason = _text("列入原因（恶意逃废债事实）", rows=3)
    on = BoundedDateField(label="列入日期")
    malicious = forms.BooleanField(label="恶意逃废债", required=False, initial=True)


class LiftForm(forms.Form):
    decision = _text("解除决定（依据、文号）", rows=3)


class HonourForm(forms.Form):
    kind = forms.ChoiceField(label="荣誉")
    on = BoundedDateField(label="评定日期")
    note = forms.CharField(label="说明（文号等）", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, f"{v}（一般信用 +{HONOUR_BONUS[k] // 1_000_000}万元）")
                                       for k, v in HONOUR_LABELS.items()]


class EvaluateForm(forms.Form):
    year = forms.IntegerField(label="评定年度", min_value=max(2000, MIN_YEAR), max_value=MAX_YEAR)


class ScorecardChooseForm(forms.Form):
    county_code = forms.ChoiceField(label="县")
    era_code = forms.ChoiceField(label="政策期")
    scorecard = forms.ChoiceField(label="评分卡版本")

    def __init__(self, *args, counties, eras, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county_code"].choices = [(c.code[:6], c.name) for c in counties]
        self.fields["era_code"].choices = [(e.code, f"{e.name}（{e.code}）") for e in eras]
        self.fields["scorecard"].choices = [(str(s.pk), str(s)) for s in cards]
