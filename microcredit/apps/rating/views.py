"""Pages of rating: campaigns, a campaign with its ratings and buttons, survey and vote entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.households.selectors import household_get
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.rating import sanctions, selectors, services
from microcredit.apps.rating.forms import (
    ActForm, BlacklistForm, CampaignForm, EvaluateForm, HonourForm, LiftForm, ObjectionForm, ResolveForm,
    ScorecardChooseForm, SurveyForm, VoteForm,
)
from microcredit.apps.rating.models import Objection, Rating, RatingCampaign, ScorecardVersion
from microcredit.apps.reference.selectors import policy_era_on, policy_eras_current
from microcredit.apps.regions.selectors import villages_in_scope
from microcredit.domain.bounds import MAX_ID
from microcredit.domain.errors import DomainError
from microcredit.domain.workflow import RATING_CAMPAIGN, due_date

VIEW = "rating.view_rating"
RUN = "rating.run_campaign"
BLACKLIST = "rating.manage_blacklist"  # same as the API
HONOUR = BLACKLIST  # honours and sanctions are both kept by the county office
SCORECARD = "rating.manage_scorecard"  # also runs the credit village / township evaluation


def _campaign(request, pk) -> RatingCampaign:
    try:
        return selectors.campaign_get(user=request.user, pk=pk)
    except RatingCampaign.DoesNotExist:
        raise Http404("批次不存在或不在您的管辖范围内") from None


def _rating(request, pk) -> Rating:
    try:
        if not 1 <= pk <= MAX_ID:
            raise Rating.DoesNotExist
        return selectors.rating_list(request.user).select_related("campaign").get(pk=pk)
    except Rating.DoesNotExist:
        raise Http404("评级不存在或不在您的管辖范围内") from None


@login_required
@permission_required(VIEW, raise_exception=True)
def campaigns(request):
    form = CampaignForm(villages=villages_in_scope(user=request.user)[:500]) if request.user.has_perm(RUN) else None
    rows = selectors.campaign_list(user=request.user)[:200]
    return render(request, "rating/campaigns.html", {"rows": rows, "form": form})


@login_required
@permission_required(RUN, raise_exception=True)
def campaign_new(request):
    villages = villages_in_scope(user=request.user)
    form = CampaignForm(request.POST or None, villages=villages[:500])
    if request.method == "POST" and form.is_valid():
        village = villages.get(code=form.cleaned_data["village"])
        era = policy_era_on(business_date())
        card = selectors.scorecard_for(village.code[:6], era.code if era else "")
        try:
            campaign = services.campaign_create(village=village, scorecard=card, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("rating:campaigns")
        messages.success(request, f"已建立评级批次 {campaign.number}，共 {campaign.ratings.count()} 户")
        return redirect("rating:campaign", pk=campaign.pk)
    return redirect("rating:campaigns")


@login_required
@permission_required(VIEW, raise_exception=True)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    actions = actions_for(RATING_CAMPAIGN, campaign, request.user)
    sees_survey = selectors.sees_survey(request.user)
    ratings = campaign.ratings.select_related("household")
    page, query = page_of(request, ratings.prefetch_related("votes") if sees_survey else ratings, 100)
    return render(request, "rating/campaign.html", {
        "campaign": campaign, "state_label": RATING_CAMPAIGN.label(campaign.state), "actions": actions,
        "ratings": page, "page": page, "query": query, "sees_survey": sees_survey,
        "objections": campaign.objections.select_related("rating__household") if sees_survey else (),
        "objection_count": campaign.objections.count(),
        "objections_open": campaign.objections.filter(resolved_on__isnull=True).count(),
        "transitions": campaign.transitions.select_related("actor"),
        "due": due_date(RATING_CAMPAIGN, campaign.state, campaign.state_entered_on),
        "objection_form": ObjectionForm(), "can_run": request.user.has_perm(RUN),
    })


@login_required
@permission_required(VIEW, raise_exception=True)
def campaign_act(request, pk: int):
    campaign = _campaign(request, pk)
    form = ActForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label or f}：{' '.join(e)}" for f, e in form.errors.items()))
    elif request.method == "POST":
        try:
            services.campaign_transition(campaign=campaign, action=form.cleaned_data["action"], actor=request.user,
                                         opinion=form.cleaned_data["opinion"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已办理")
    return redirect("rating:campaign", pk=campaign.pk)


@login_required
@permission_required(RUN, raise_exception=True)
def rating_edit(request, pk: int):
    rating = _rating(request, pk)
    f = rating.facts
    initial = {**f, "income_per_head": int(f.get("income_per_head", 0))}  # fen, shown in yuan by YuanField
    survey = SurveyForm(request.POST if "survey" in request.POST else None, initial=initial)
    vote = VoteForm(request.POST if "vote" in request.POST else None)
    try:
        if "survey" in request.POST and survey.is_valid():
            services.rating_survey(rating=rating, actor=request.user, **survey.cleaned_data)
            messages.success(request, "摸底信息已保存")
            return redirect("rating:rating", pk=rating.pk)
        if "vote" in request.POST and vote.is_valid():
            services.vote_record(rating=rating, actor=request.user, **vote.cleaned_data)
            messages.success(request, "评议打分已录入")
            return redirect("rating:rating", pk=rating.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return render(request, "rating/rating.html", {"rating": rating, "survey": survey, "vote": vote,
                                                  "votes": rating.votes.all()})


@login_required
@permission_required(RUN, raise_exception=True)
def objection_add(request, pk: int):
    campaign = _campaign(request, pk)
    form = ObjectionForm(request.POST or None)
    if form.is_valid():
        rating = campaign.ratings.filter(pk=form.cleaned_data.get("rating") or 0).first()
        try:
            services.objection_raise(campaign=campaign, raised_by=form.cleaned_data["raised_by"],
                                     text=form.cleaned_data["text"], rating=rating, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("rating:campaign", pk=campaign.pk)


@login_required
@permission_required(RUN, raise_exception=True)
def objection_resolve(request, pk: int):
    objection = Objection.objects.select_related("campaign").filter(
        pk=pk if 1 <= pk <= MAX_ID else 0, campaign__in=selectors.campaign_list(user=request.user)).first()
    if objection is None:
        raise Http404("异议不存在或不在您的管辖范围内")
    campaign = objection.campaign
    form = ResolveForm(request.POST or None)
    if form.is_valid():
        services.objection_resolve(objection=objection, resolution=form.cleaned_data["resolution"], actor=request.user)
    return redirect("rating:campaign", pk=campaign.pk)


def _household(request, pk: int):
    try:
        return household_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404("农户不存在或不在您的管辖范围内") from None


@login_required
@permission_required(VIEW, raise_exception=True)
def blacklist(request):
    rows, query = page_of(request, selectors.blacklist_list(request.user), 100)
    return render(request, "rating/blacklist.html", {"rows": rows, "page": rows, "query": query,
                                                     "can_manage": request.user.has_perm(BLACKLIST)})


@login_required
@permission_required(BLACKLIST, raise_exception=True)
def blacklist_add(request, hh: int):
    household = _household(request, hh)
    form = BlacklistForm(request.POST or None, initial={"on": business_date(), "malicious": True})
    if request.method == "POST" and form.is_valid():
        try:
            entry = sanctions.blacklist_add(household=household, reason=form.cleaned_data["reason"],
                                            malicious=form.cleaned_data["malicious"], on=form.cleaned_data["on"],
                                            actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已列入黑名单，期限至 {entry.until:%Y-%m-%d}，涉及 {len(entry.covered_id_numbers)} 人")
            return redirect("rating:blacklist")
    return render(request, "rating/blacklist_add.html", {"household": household, "form": form})


@login_required
@permission_required(BLACKLIST, raise_exception=True)
def blacklist_lift(request, pk: int):
    entry = selectors.blacklist_list(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sanctions.blacklist_lift(entry=entry, decision=form.cleaned_data["decision"], actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已依决定解除黑名单")
            return redirect("rating:blacklist")
    return render(request, "rating/blacklist_lift.html", {"entry": entry, "form": form})


@login_required
@permission_required(HONOUR, raise_exception=True)
def honour_add(request, hh: int):
    household = _household(request, hh)
    form = HonourForm(request.POST or None, initial={"on": business_date()})
    if request.method == "POST" and form.is_valid():
        try:
            sanctions.honour_grant(household=household, kind=form.cleaned_data["kind"], on=form.cleaned_data["on"],
                                   note=form.cleaned_data["note"], actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已记录荣誉，有效评级的一般信用额度已相应增加")
            return redirect("households:detail", pk=household.pk)
    return render(request, "rating/honour_add.html", {
        "household": household, "form": form, "honours": household.honours.all(),
        "rating": selectors.current_rating(household)})


@login_required
@permission_required(VIEW, raise_exception=True)
def credit_villages(request):
    can_run = request.user.has_perm(SCORECARD)
    form = EvaluateForm(request.POST or None, initial={"year": business_date().year}) if can_run else None
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            regions = list(selectors.evaluable_regions(request.user))
            for region in regions:
                sanctions.credit_region_evaluate(region=region, year=form.cleaned_data["year"], actor=request.user)
            messages.success(request, f"已评定 {len(regions)} 个村、乡镇（{form.cleaned_data['year']} 年度）")
            return redirect("rating:credit_villages")
    rows, query = page_of(request, selectors.credit_region_list(request.user), 100)
    return render(request, "rating/credit_villages.html", {
        "rows": rows, "page": rows, "query": query, "form": form,
        "min_share": sanctions.CREDIT_VILLAGE_MIN_SHARE, "max_npl": sanctions.CREDIT_VILLAGE_MAX_NPL})


@login_required
@permission_required(VIEW, raise_exception=True)
def scorecards(request):
    cards = ScorecardVersion.objects.all()
    can_choose = request.user.has_perm(SCORECARD)
    form = None
    if can_choose:
        form = ScorecardChooseForm(request.POST or None, counties=selectors.counties_in_scope(request.user),
                                   eras=policy_eras_current(), cards=cards)
    if request.method == "POST":
        if not can_choose:
            raise PermissionDenied
        if form.is_valid():
            card = cards.get(pk=form.cleaned_data["scorecard"])
            services.county_scorecard_choose(county_code=form.cleaned_data["county_code"],
                                             era_code=form.cleaned_data["era_code"], scorecard=card, actor=request.user)
            messages.success(request, f"已选定 {card}，此后新建的评级批次使用该版本")
            return redirect("rating:scorecards")
    return render(request, "rating/scorecards.html", {"cards": cards, "choices": selectors.county_choices(request.user),
                                                      "form": form})
