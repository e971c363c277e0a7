"""Pages of rating: campaigns, a campaign with its ratings and buttons, survey and vote entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.rating import selectors, services
from microcredit.apps.rating.forms import CampaignForm, ObjectionForm, ResolveForm, SurveyForm, VoteForm
from microcredit.apps.rating.models import Objection, Rating, RatingCampaign
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan, yuan_to_fen
from microcredit.domain.workflow import RATING_CAMPAIGN, allowed_transitions, due_date

VIEW = "rating.view_rating"
RUN = "rating.run_campaign"


def _villages(user):
    from microcredit.apps.regions.models import Region

    return Scope.of(user).filter_regions(Region.objects.filter(level="village").select_related("parent"), "code")


def _campaign(request, pk) -> RatingCampaign:
    try:
        return selectors.campaign_list(request.user).get(pk=pk)
    except RatingCampaign.DoesNotExist:
        raise Http404("批次不存在或不在您的管辖范围内")


def _rating(request, pk) -> Rating:
    try:
        return selectors.rating_list(request.user).select_related("campaign").get(pk=pk)
    except Rating.DoesNotExist:
        raise Http404("评级不存在或不在您的管辖范围内")


@login_required
@permission_required(VIEW, raise_exception=True)
def campaigns(request):
    form = CampaignForm(villages=_villages(request.user)[:500]) if request.user.has_perm(RUN) else None
    rows = selectors.campaign_list(request.user)[:200]
    return render(request, "rating/campaigns.html", {"rows": rows, "form": form})


@login_required
@permission_required(RUN, raise_exception=True)
def campaign_new(request):
    villages = _villages(request.user)
    form = CampaignForm(request.POST or None, villages=villages[:500])
    if request.method == "POST" and form.is_valid():
        village = villages.get(code=form.cleaned_data["village"])
        from microcredit.apps.core.clock import business_date
        from microcredit.apps.reference.selectors import policy_era_on

        era = policy_era_on(business_date())
        card = selectors.scorecard_for(village.code[:6], era.code if era else "")
        campaign = services.campaign_create(village=village, scorecard=card, actor=request.user,
                                            notice_days=form.cleaned_data["notice_days"])
        messages.success(request, f"已建立评级批次 {campaign.number}，共 {campaign.ratings.count()} 户")
        return redirect("rating:campaign", pk=campaign.pk)
    return redirect("rating:campaigns")


@login_required
@permission_required(VIEW, raise_exception=True)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    role = request.user.role
    if request.user.is_superuser or role == "admin":
        actions = tuple(t for t in RATING_CAMPAIGN.transitions if t.state == campaign.state)
    else:
        actions = allowed_transitions(RATING_CAMPAIGN, campaign.state, role)
    return render(request, "rating/campaign.html", {
        "campaign": campaign, "state_label": RATING_CAMPAIGN.label(campaign.state), "actions": actions,
        "ratings": campaign.ratings.select_related("household").prefetch_related("votes"),
        "objections": campaign.objections.select_related("rating__household"),
        "transitions": campaign.transitions.select_related("actor"),
        "due": due_date(RATING_CAMPAIGN, campaign.state, campaign.state_entered_on),
        "objection_form": ObjectionForm(), "can_run": request.user.has_perm(RUN),
    })


@login_required
@permission_required(VIEW, raise_exception=True)
def campaign_act(request, pk: int):
    campaign = _campaign(request, pk)
    if request.method == "POST":
        try:
            services.campaign_transition(campaign=campaign, action=request.POST.get("action", ""), actor=request.user,
                                         opinion=request.POST.get("opinion", ""))
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
    initial = {**f, "income_per_head": fen_to_yuan(int(f.get("income_per_head", 0)))}
    survey = SurveyForm(request.POST if "survey" in request.POST else None, initial=initial)
    vote = VoteForm(request.POST if "vote" in request.POST else None)
    try:
        if "survey" in request.POST and survey.is_valid():
            data = dict(survey.cleaned_data, income_per_head=yuan_to_fen(survey.cleaned_data["income_per_head"]))
            services.rating_survey(rating=rating, actor=request.user, **data)
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
    objection = Objection.objects.select_related("campaign").get(pk=pk)
    campaign = _campaign(request, objection.campaign_id)
    form = ResolveForm(request.POST or None)
    if form.is_valid():
        services.objection_resolve(objection=objection, resolution=form.cleaned_data["resolution"], actor=request.user)
    return redirect("rating:campaign", pk=campaign.pk)
