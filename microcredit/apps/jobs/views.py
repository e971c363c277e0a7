from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from microcredit.apps.jobs.selectors import jobs_for


@login_required
def job_list(request):
    page = Paginator(jobs_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "query": ""})


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(jobs_for(request.user), pk=pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})
