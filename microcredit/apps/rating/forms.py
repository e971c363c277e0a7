"""Forms of rating: survey entry on a phone, votes, objections, a new campaign."""

from decimal import Decimal

from django import forms

from microcredit.apps.households.models import Health, SkillLevel


class CampaignForm(forms.Form):
    village = forms.ChoiceField(label="行政村")
    notice_days = forms.IntegerField(label="公示天数", min_value=1, max_value=30, initial=7)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages]


class SurveyForm(forms.Form):
    income_per_head = forms.DecimalField(label="人均纯收入（元/年）", min_value=Decimal(0), decimal_places=2, max_digits=12)
    able_labourers = forms.IntegerField(label="劳动力人数（16–65岁）", min_value=0, max_value=20)
    skill = forms.ChoiceField(label="劳动技能（最好者）", choices=SkillLevel.choices)
    head_age = forms.IntegerField(label="户主年龄", min_value=16, max_value=110)
    head_health = forms.ChoiceField(label="户主健康状况", choices=Health.choices)
    dependants = forms.IntegerField(label="需赡养/抚养人数", min_value=0, max_value=20)
    overdue_episodes_3y = forms.IntegerField(label="近3年逾期次数", min_value=0, max_value=20)
    public_order_record = forms.BooleanField(label="有违法违纪记录", required=False)


class VoteForm(forms.Form):
    voter = forms.CharField(label="评议委员", max_length=32)
    score = forms.IntegerField(label="诚信度打分（0–100）", min_value=0, max_value=100)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label="提出人", max_length=32)
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))


class BlacklistForm(forms.Form):
    reason = forms.CharField(label="列入原因（恶意逃废债事实）", widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label="列入日期", widget=forms.DateInput(attrs={"type": "date"}))
    malicious = forms.BooleanField(label="恶意逃废债", required=False, initial=True)


class LiftForm(forms.Form):
    decision = forms.CharField(label="解除决定（依据、文号）", widget=forms.Textarea(attrs={"rows": 3}))


class HonourForm(forms.Form):
    kind = forms.ChoiceField(label="荣誉")
    on = forms.DateField(label="评定日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明（文号等）", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from microcredit.domain.scorecards import HONOUR_BONUS, HONOUR_LABELS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, f"{v}（一般信用 +{HONOUR_BONUS[k] // 1_000_000}万元）")
                                       for k, v in HONOUR_LABELS.items()]


class EvaluateForm(forms.Form):
    year = forms.IntegerField(label="评定年度", min_value=2000, max_value=2100)


class ScorecardChooseForm(forms.Form):
    county_code = forms.ChoiceField(label="县")
    era_code = forms.ChoiceField(label="政策期")
    scorecard = forms.ChoiceField(label="评分卡版本")

    def __init__(self, *args, counties, eras, cards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county_code"].choices = [(c.code[:6], c.name) for c in counties]
        self.fields["era_code"].choices = [(e.code, f"{e.name}（{e.code}）") for e in eras]
        self.fields["scorecard"].choices = [(str(s.pk), str(s)) for s in cards]
