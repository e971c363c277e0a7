"""Writes of rating and credit granting (DOMAIN §3, §12). Each is one transaction with audit.

Campaign flow (table ``domain.workflow.RATING_CAMPAIGN``): survey (facts per household, on a
phone) → committee votes → scores computed at the first notice → township / county / bank
review → second notice → grades and credit lines take effect.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import WorkflowRefused, actor_or_none, transition_take
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.rating.facts import household_facts
from microcredit.apps.rating.models import (
    CountyScorecard, Objection, Rating, RatingCampaign, RatingStatus, ScorecardVersion, Vote,
)
from microcredit.apps.rating.selectors import notice_days_for
from microcredit.domain.bounds import MAX_FEN
from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.scorecards import (
    PRESETS, HouseholdFacts, Scorecard, score_household, scorecard_errors, scorecard_from_dict, scorecard_to_dict,
)
from microcredit.domain.workflow import RATING_CAMPAIGN

SURVEY_FIELDS = ("income_per_head", "able_labourers", "skill", "head_age", "head_health", "dependants",
                 "overdue_episodes_3y", "public_order_record")


MAX_VALIDITY_MONTHS = 120


def _definition_bounds_errors(card: Scorecard) -> list[FieldError]:
    """What the columns and the date arithmetic can hold (issue #9 §2): lengths, no NUL, numbers in range."""
    errors = []
    texts = [("code", card.code, 32), ("name", card.name, 64)]
    texts += [(f"factors[{i}]", t, 64) for i, f in enumerate(card.factors) for t in (f.kind, f.label)]
    texts += [("grades", g.grade, 8) for g in card.grades]
    for field, text, longest in texts:
        if not isinstance(text, str) or "\x00" in text or len(text) > longest:
            errors.append(FieldError(field, f"须为不超过 {longest} 个字符的文字（不含空字符）"))
    if not 1 <= card.validity_months <= MAX_VALIDITY_MONTHS:
        errors.append(FieldError("validity_months", f"有效期须在 1–{MAX_VALIDITY_MONTHS} 个月之间"))
    numbers = [("factors", f.weight, 100) for f in card.factors]
    numbers += [("factors", b.minimum, MAX_FEN) for f in card.factors for b in f.bands]
    numbers += [("grades", g.credit_limit, MAX_FEN) for g in card.grades]
    for field, number, largest in numbers:
        if not -largest <= number <= largest:
            errors.append(FieldError(field, f"数值超出范围（绝对值不超过 {largest}）"))
    return errors


@transaction.atomic
def scorecard_version_create(*, card: Scorecard, actor=None, note: str = "") -> ScorecardVersion:
    """Store a new version of a scorecard (versions are never edited)."""
    errors = _definition_bounds_errors(card) or scorecard_errors(card)
    if errors:
        raise DomainError.from_errors(errors)
    last = ScorecardVersion.objects.filter(code=card.code).order_by("-version").first()
    row = ScorecardVersion.objects.create(
        code=card.code, version=(last.version + 1) if last else 1, name=card.name,
        definition=scorecard_to_dict(card), note=note, created_by=actor_or_none(actor),
    )
    record_audit(actor=actor, action="scorecard.version", obj=row, after=row.definition, note=note)
    return row


def scorecard_presets_ensure() -> list[ScorecardVersion]:
    """Version 1 of every DOMAIN §3 preset (created when missing)."""
    out = []
    for card in PRESETS.values():
        row = ScorecardVersion.objects.filter(code=card.code).order_by("-version").first()
        out.append(row or scorecard_version_create(card=card, note="预置评分卡"))
    return out


@transaction.atomic
def county_scorecard_choose(*, county_code: str, era_code: str, scorecard: ScorecardVersion, actor=None) -> CountyScorecard:
    """A county picks the scorecard version for a policy era (old ratings keep theirs)."""
    row = CountyScorecard.objects.create(county_code=county_code, era_code=era_code, scorecard=scorecard,
                                         chosen_by=actor_or_none(actor))
    record_audit(actor=actor, action="scorecard.choose", obj=row, region_code=county_code,
                 after={"era": era_code, "scorecard": str(scorecard)})
    return row


def _next_campaign_number(village_code: str, day: dt.date) -> str:
    prefix = f"PJ{village_code}{day:%Y%m}"
    return f"{prefix}{RatingCampaign.objects.filter(number__startswith=prefix).count() + 1:03d}"


@transaction.atomic
def campaign_create(*, village, scorecard: ScorecardVersion, actor=None, households=None,
                    on: dt.date | None = None, is_rerating: bool = False) -> RatingCampaign:
    """Open a village's rating batch, one draft rating per household with registry facts.

    The notice length is the county's setting (DOMAIN §3, §12), never the caller's: it is read
    here (so a wrong setting refuses at once) and again when each notice starts.
    """
    on = on or business_date()
    campaign = RatingCampaign.objects.create(
        number=_next_campaign_number(village.code, on), village=village, region_code=village.code,
        scorecard=scorecard, state=RATING_CAMPAIGN.initial, state_entered_on=on,
        notice_days=notice_days_for(village.code),
        is_rerating=is_rerating, created_by=actor_or_none(actor),
    )
    qs = households if households is not None else households_in_scope(user=SYSTEM).filter(village=village, is_wubao=False)
    for hh in qs:
        facts = household_facts(hh, on)
        Rating.objects.create(campaign=campaign, household=hh, region_code=hh.region_code, scorecard=scorecard,
                              facts=facts._asdict())
    record_audit(actor=actor, action="rating.campaign.create", obj=campaign, region_code=village.code,
                 after={"scorecard": str(scorecard), "ratings": campaign.ratings.count()})
    return campaign


@transaction.atomic
def rating_survey(*, rating: Rating, actor=None, **changes) -> Rating:
    """Record survey entries (摸底) for one household; only during the survey step."""
    rating = Rating.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=rating.pk)
    if rating.campaign and rating.campaign.state not in ("survey", "vote"):
        raise WorkflowRefused("state", "只能在摸底或评议阶段修改摸底信息")
    before = dict(rating.facts)
    rating.facts = {**rating.facts, **{k: v for k, v in changes.items() if k in SURVEY_FIELDS}}
    rating.save(update_fields=["facts"])
    record_audit(actor=actor, action="rating.survey", obj=rating, before=before, after=rating.facts,
                 region_code=rating.region_code, household_id=rating.household_id)
    return rating


@transaction.atomic
def vote_record(*, rating: Rating, voter: str, score: int, actor=None) -> Vote:
    """A committee member's integrity vote (0–100), during survey or vote."""
    if not 0 <= int(score) <= 100:
        raise DomainError("score", "诚信度打分必须在 0–100 之间")
    rating = Rating.objects.select_related("campaign").get(pk=rating.pk)
    if rating.campaign and rating.campaign.state not in ("survey", "vote"):
        raise WorkflowRefused("state", "只能在评议阶段录入评议打分")
    vote = Vote.objects.create(rating=rating, voter=voter, score=int(score),
                               recorded_by=actor_or_none(actor))
    record_audit(actor=actor, action="rating.vote", obj=rating, after={"voter": voter, "score": int(score)},
                 region_code=rating.region_code, household_id=rating.household_id)
    return vote


def rating_compute(rating: Rating) -> Rating:
    """Score one rating with its own scorecard version (votes averaged)."""
    data = {k: v for k, v in rating.facts.items() if k in HouseholdFacts._fields}
    data["votes"] = tuple(rating.votes.values_list("score", flat=True)) or tuple(data.get("votes") or ())
    facts = HouseholdFacts(**data)
    result = score_household(scorecard_from_dict(rating.scorecard.definition), facts)
    rating.factor_scores = [s._asdict() for s in result.factors]
    rating.score, rating.grade, rating.credit_limit = result.total, result.grade, result.credit_limit
    rating.save(update_fields=["factor_scores", "score", "grade", "credit_limit"])
    return rating


def _take_effect(campaign: RatingCampaign, on: dt.date, actor) -> None:
    months = scorecard_from_dict(campaign.scorecard.definition).validity_months
    for rating in campaign.ratings.select_related("household"):
        Rating.objects.filter(household_id=rating.household_id, status=RatingStatus.EFFECTIVE).update(
            status=RatingStatus.EXPIRED)
        rating.status = RatingStatus.EFFECTIVE if rating.grade else RatingStatus.REVOKED
        rating.valid_from, rating.valid_until = on, add_months(on, months)
        rating.save(update_fields=["status", "valid_from", "valid_until"])
        record_audit(actor=actor, action="rating.effective", obj=rating, region_code=rating.region_code,
                     household_id=rating.household_id,
                     after={"grade": rating.grade, "credit_limit": rating.credit_limit, "score": rating.score,
                            "valid_until": rating.valid_until})
    campaign.effective_on = on


@transaction.atomic
def campaign_transition(*, campaign: RatingCampaign, action: str, actor, opinion: str = "",
                        on: dt.date | None = None) -> RatingCampaign:
    """Move a campaign one step (``core.workflow.transition_take``: lock, role, scope — for a bank the
    serving bank —, four eyes), then notices and objections. Notice lengths come from the county's
    setting (DOMAIN §3, §12)."""
    on = on or business_date()

    def effect(campaign: RatingCampaign, t) -> None:
        if action == "close_notice":
            ends = campaign.notice1_ends_on if campaign.state == "notice1" else campaign.notice2_ends_on
            if ends and on < ends:
                raise WorkflowRefused("on", f"公示期至 {ends.isoformat()}，尚未结束")
            if campaign.objections.filter(resolved_on__isnull=True).exists():
                raise WorkflowRefused("objections", "还有未处理的公示异议")
        if action == "start_notice":
            campaign.notice_days = notice_days_for(campaign.region_code)
            if t.next_state == "notice1":
                for rating in campaign.ratings.all():
                    rating_compute(rating)
                campaign.notice1_ends_on = on + dt.timedelta(days=campaign.notice_days)
            else:
                campaign.notice2_ends_on = on + dt.timedelta(days=campaign.notice_days)
        if t.next_state == "effective":
            _take_effect(campaign, on, actor)

    campaign = transition_take(RATING_CAMPAIGN, campaign, action, actor=actor, opinion=opinion, on=on, effect=effect)
    record_audit(actor=actor, action=f"rating.campaign.{action}", obj=campaign, region_code=campaign.region_code,
                 before={"state": campaign.taken.from_state}, after={"state": campaign.taken.to_state}, note=opinion)
    return campaign


@transaction.atomic
def objection_raise(*, campaign: RatingCampaign, raised_by: str, text: str, rating: Rating | None = None,
                    actor=None, on: dt.date | None = None) -> Objection:
    """Record an objection during a public notice."""
    campaign = RatingCampaign.objects.get(pk=campaign.pk)
    if campaign.state not in ("notice1", "notice2"):
        raise WorkflowRefused("state", "只能在公示期内提出异议")
    row = Objection.objects.create(campaign=campaign, rating=rating, round=1 if campaign.state == "notice1" else 2,
                                   raised_by=raised_by, text=text, raised_on=on or business_date())
    record_audit(actor=actor, action="rating.objection", obj=campaign, region_code=campaign.region_code,
                 household_id=rating.household_id if rating else None, after={"by": raised_by, "text": text})
    return row


@transaction.atomic
def objection_resolve(*, objection: Objection, resolution: str, actor=None, on: dt.date | None = None) -> Objection:
    """Resolve an objection (required before the notice closes)."""
    if not resolution.strip():
        raise DomainError("resolution", "须填写处理结果")
    objection.resolution, objection.resolved_on = resolution, on or business_date()
    objection.resolved_by = actor_or_none(actor)
    objection.save()
    record_audit(actor=actor, action="rating.objection.resolve", obj=objection.campaign,
                 region_code=objection.campaign.region_code, after={"resolution": resolution},
                 household_id=objection.rating.household_id if objection.rating_id else None)
    return objection


@transaction.atomic
def ratings_expire(*, on: dt.date | None = None) -> int:
    """Mark effective ratings past their validity as expired (they need re-rating)."""
    on = on or business_date()
    return Rating.objects.filter(status=RatingStatus.EFFECTIVE, valid_until__lt=on).update(status=RatingStatus.EXPIRED)


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "scorecard.version": _("发布评分卡版本"), "scorecard.choose": _("选用评分卡"),
    "rating.campaign.create": _("发起评级批次"), "rating.survey": _("入户摸底"), "rating.vote": _("村评议打分"),
    "rating.effective": _("评级生效"), "rating.campaign.submit": _("提交村评议"),
    "rating.campaign.start_notice": _("开始公示"), "rating.campaign.close_notice": _("结束公示"),
    "rating.campaign.return": _("退回评级批次"), "rating.campaign.approve": _("评审通过评级批次"),
    "rating.campaign.reject": _("否决评级批次"), "rating.objection": _("提出异议"),
    "rating.objection.resolve": _("处理异议"), "rating.honour": _("记录守信"),
    "rating.blacklist.add": _("列入失信名单"), "rating.blacklist.lift": _("移出失信名单"),
    "rating.credit_region": _("评定信用村镇"), "rating.expire": _("评级到期"),
}
