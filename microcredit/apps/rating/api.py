"""`/api/v1/rating/`: campaigns, votes, review steps, ratings, blacklist (scoped like the UI).

Campaigns are read through ``selectors.campaign_list`` / ``campaign_get`` only (a bank sees a
campaign from its bank review on, in the villages it serves). Every input is bounded
(``core.api_types``); a field the schema does not know (e.g. ``notice_days``: notice lengths are
the county's setting) is refused with 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.api_types import Day, Id, Text, Year
from microcredit.apps.core.clock import business_date
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.rating import sanctions, selectors, services
from microcredit.apps.rating.models import RatingCampaign, ScorecardVersion
from microcredit.apps.reference.selectors import policy_era_on
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.scorecards import HONOUR_LABELS, honour_bonus, scorecard_from_dict
from microcredit.domain.workflow import RATING_CAMPAIGN

router = Router(tags=["评级授信"])


class CampaignOut(Schema):
    id: int
    number: str
    village_code: str
    scorecard: str
    state: str
    state_label: str
    state_entered_on: dt.date


class RatingOut(Schema):
    id: int
    household_id: int
    household_number: str
    score: str | None
    grade: str
    credit_limit: str
    status: str
    valid_until: dt.date | None


class StrictIn(Schema):
    """Input schemas refuse unknown fields (422) instead of silently dropping them."""

    model_config = ConfigDict(extra="forbid")


RegionCode = Annotated[str, Field(pattern=r"^\d{12}$")]
State = Text(20)


class CampaignIn(StrictIn):
    village_code: RegionCode


class ActionIn(StrictIn):
    action: Text(20)
    opinion: Text() = ""


class VoteIn(StrictIn):
    voter: Text(32)
    score: Annotated[int, Field(ge=0, le=100)]


class BlacklistIn(StrictIn):
    household_id: Id
    reason: Text()
    malicious: bool = True


class LiftIn(StrictIn):
    decision: Text()


def _need(request, perm):
    if not request.user.has_perm(perm):
        raise HttpError(403, "无此权限")


def _c(c: RatingCampaign) -> dict:
    return {"id": c.pk, "number": c.number, "village_code": c.region_code, "scorecard": str(c.scorecard),
            "state": c.state, "state_label": RATING_CAMPAIGN.label(c.state), "state_entered_on": c.state_entered_on}


def _r(r) -> dict:
    return {"id": r.pk, "household_id": r.household_id, "household_number": r.household.number,
            "score": str(r.score) if r.score is not None else None, "grade": r.grade,
            "credit_limit": fen_to_yuan(r.credit_limit), "status": r.status, "valid_until": r.valid_until}


def _campaign(request, pk):
    _need(request, "rating.view_rating")
    try:
        return selectors.campaign_get(user=request.user, pk=pk)
    except RatingCampaign.DoesNotExist:
        raise HttpError(404, "批次不存在或不在管辖范围内") from None


@router.get("/campaigns", response=list[CampaignOut], summary="评级批次列表")
def campaigns(request, state: State = ""):
    _need(request, "rating.view_rating")
    return [_c(c) for c in selectors.campaign_list(user=request.user, state=state)[:500]]


@router.post("/campaigns", response={201: CampaignOut}, summary="建立村评级批次")
def campaign_create(request, payload: CampaignIn):
    _need(request, "rating.run_campaign")
    village = regions_in_scope(user=request.user, level="village").filter(code=payload.village_code).first()
    if village is None:
        raise HttpError(404, "行政村不存在或不在管辖范围内")
    era = policy_era_on(business_date())
    card = selectors.scorecard_for(village.code[:6], era.code if era else "")
    campaign = services.campaign_create(village=village, scorecard=card, actor=request.user)
    return 201, _c(campaign)


@router.get("/campaigns/{pk}/ratings", response=list[RatingOut], summary="批次内各户评级（不含摸底信息和评议打分）")
def campaign_ratings(request, pk: Id):
    return [_r(r) for r in _campaign(request, pk).ratings.select_related("household")]


@router.post("/campaigns/{pk}/actions", response={200: CampaignOut, 409: dict, 422: dict}, summary="批次流转（提交、公示、评审）")
def campaign_act(request, pk: Id, payload: ActionIn):
    campaign = _campaign(request, pk)
    campaign = services.campaign_transition(campaign=campaign, action=payload.action, actor=request.user,
                                            opinion=payload.opinion)
    return 200, _c(campaign)


@router.post("/ratings/{pk}/votes", response={201: dict, 409: dict, 422: dict}, summary="录入评议打分")
def vote(request, pk: Id, payload: VoteIn):
    _need(request, "rating.run_campaign")
    rating = selectors.rating_list(request.user).filter(pk=pk).first()
    if rating is None:
        raise HttpError(404, "评级不存在或不在管辖范围内")
    services.vote_record(rating=rating, voter=payload.voter, score=payload.score, actor=request.user)
    return 201, {"ok": True}


@router.get("/households/{household_id}/rating", response={200: RatingOut, 404: dict}, summary="农户当前有效评级")
def household_rating(request, household_id: Id):
    _need(request, "rating.view_rating")
    rating = selectors.rating_list(request.user).filter(household_id=household_id, status="effective").first()
    if rating is None:
        return 404, {"detail": "该户无有效评级"}
    return 200, _r(rating)


@router.post("/blacklist", response={201: dict, 409: dict, 422: dict}, summary="列入黑名单（5年，含配偶、子女、父母）")
def blacklist_add(request, payload: BlacklistIn):
    _need(request, "rating.manage_blacklist")
    hh = households_in_scope(user=request.user).filter(pk=payload.household_id).first()
    if hh is None:
        raise HttpError(404, "农户不存在或不在管辖范围内")
    entry = sanctions.blacklist_add(household=hh, reason=payload.reason, malicious=payload.malicious,
                                    actor=request.user)
    return 201, {"id": entry.pk, "until": entry.until.isoformat()}


@router.post("/blacklist/{pk}/lift", response={200: dict, 409: dict, 422: dict}, summary="依决定解除黑名单")
def blacklist_lift(request, pk: Id, payload: LiftIn):
    _need(request, "rating.manage_blacklist")
    entry = selectors.blacklist_list(request.user).filter(pk=pk).first()
    if entry is None:
        raise HttpError(404, "记录不存在")
    sanctions.blacklist_lift(entry=entry, decision=payload.decision, actor=request.user)
    return 200, {"ok": True}


class ScorecardOut(Schema):
    id: int
    code: str
    version: int
    name: str
    definition: dict


class ScorecardIn(StrictIn):
    definition: dict
    note: Text(200) = ""


class ChooseIn(StrictIn):
    county_code: Annotated[str, Field(pattern=r"^\d{6}$")]
    era_code: Text(16)
    scorecard_id: Id


@router.get("/scorecards", response=list[ScorecardOut], summary="评分卡各版本")
def scorecards(request):
    _need(request, "rating.view_rating")
    return [{"id": s.pk, "code": s.code, "version": s.version, "name": s.name, "definition": s.definition}
            for s in ScorecardVersion.objects.all()]


@router.post("/scorecards", response={201: ScorecardOut, 422: dict}, summary="保存评分卡新版本（不修改旧版本）")
def scorecard_create(request, payload: ScorecardIn):
    _need(request, "rating.manage_scorecard")
    try:
        row = services.scorecard_version_create(card=scorecard_from_dict(payload.definition), actor=request.user,
                                                note=payload.note)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # DomainError is a ValueError
        return 422, {"detail": getattr(exc, "message", f"评分卡定义有误：{exc}")}
    return 201, {"id": row.pk, "code": row.code, "version": row.version, "name": row.name, "definition": row.definition}


@router.post("/scorecards/choose", response={201: dict}, summary="县为某政策期选定评分卡版本")
def scorecard_choose(request, payload: ChooseIn):
    _need(request, "rating.manage_scorecard")
    if not Scope.of(request.user).covers(payload.county_code.ljust(12, "0")):
        raise HttpError(403, "不在管辖范围内")
    card = ScorecardVersion.objects.filter(pk=payload.scorecard_id).first()
    if card is None:
        raise HttpError(404, "评分卡版本不存在")
    services.county_scorecard_choose(county_code=payload.county_code[:6], era_code=payload.era_code,
                                     scorecard=card, actor=request.user)
    return 201, {"ok": True}


class BlacklistOut(Schema):
    id: int
    household_id: int
    household_number: str
    reason: str
    malicious: bool
    covered: int
    listed_on: dt.date
    until: dt.date
    lifted_on: dt.date | None
    lift_decision: str


@router.get("/blacklist", response=list[BlacklistOut], summary="黑名单（管辖范围内）")
def blacklist(request, active: bool = False):
    _need(request, "rating.view_rating")
    qs = selectors.blacklist_list(request.user)
    if active:
        qs = qs.filter(lifted_on__isnull=True)
    return [{"id": e.pk, "household_id": e.household_id, "household_number": e.household.number, "reason": e.reason,
             "malicious": e.malicious, "covered": len(e.covered_id_numbers or ()), "listed_on": e.listed_on,
             "until": e.until, "lifted_on": e.lifted_on, "lift_decision": e.lift_decision} for e in qs[:1000]]


class HonourIn(StrictIn):
    household_id: Id
    kind: Text(12)
    on: Day | None = None
    note: Text(200) = ""


class HonourOut(Schema):
    id: int
    household_id: int
    household_number: str
    kind: str
    label: str
    bonus: str
    granted_on: dt.date
    note: str


def _h(h) -> dict:
    return {"id": h.pk, "household_id": h.household_id, "household_number": h.household.number, "kind": h.kind,
            "label": HONOUR_LABELS.get(h.kind, h.kind), "bonus": fen_to_yuan(honour_bonus(h.kind)),
            "granted_on": h.granted_on, "note": h.note}


@router.get("/honours", response=list[HonourOut], summary="荣誉户（诚信户、文明户、标兵户）")
def honours(request, household_id: Id | None = None):
    _need(request, "rating.view_rating")
    qs = selectors.honour_list(request.user)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return [_h(h) for h in qs[:1000]]


@router.post("/honours", response={201: HonourOut, 409: dict, 422: dict}, summary="评定荣誉户（一般信用加额）")
def honour_grant(request, payload: HonourIn):
    _need(request, "rating.manage_blacklist")
    hh = households_in_scope(user=request.user).filter(pk=payload.household_id).first()
    if hh is None:
        raise HttpError(404, "农户不存在或不在管辖范围内")
    row = sanctions.honour_grant(household=hh, kind=payload.kind, on=payload.on, note=payload.note,
                                 actor=request.user)
    return 201, _h(row)


class CreditRegionOut(Schema):
    id: int
    region_code: str
    region_name: str
    level: str
    year: int
    rated_share: str
    npl_ratio: str
    malicious_defaults: int
    granted: bool


class EvaluateIn(StrictIn):
    year: Year


def _cr(r) -> dict:
    return {"id": r.pk, "region_code": r.region_code, "region_name": r.region.name, "level": r.region.level,
            "year": r.year, "rated_share": str(r.rated_share), "npl_ratio": str(r.npl_ratio),
            "malicious_defaults": r.malicious_defaults, "granted": r.granted}


@router.get("/credit-regions", response=list[CreditRegionOut], summary="信用村、信用乡镇评定结果")
def credit_regions(request, year: Year | None = None):
    _need(request, "rating.view_rating")
    qs = selectors.credit_region_list(request.user)
    if year:
        qs = qs.filter(year=year)
    return [_cr(r) for r in qs[:2000]]


@router.post("/credit-regions/evaluate", response={201: list[CreditRegionOut]}, summary="评定管辖内各村、乡镇")
def credit_regions_evaluate(request, payload: EvaluateIn):
    _need(request, "rating.manage_scorecard")
    rows = [sanctions.credit_region_evaluate(region=region, year=payload.year, actor=request.user)
            for region in selectors.evaluable_regions(request.user)]
    return 201, [_cr(r) for r in rows]
