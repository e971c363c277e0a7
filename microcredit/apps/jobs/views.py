from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from microcredit.apps.jobs.exports import download_response, export_file_for
from microcredit.apps.jobs.selectors import job_for_viewer, jobs_for, visible_job


@login_required
def job_list(request):
    page = Paginator(jobs_for(request.user), 30).get_page(request.GET.get("page"))
    page.object_list = [job_for_viewer(job, request.user) for job in page.object_list]
    return render(request, "jobs/list.html", {"page": page, "query": ""})


@login_required
def job_detail(request, pk: int):
    job = visible_job(request.user, pk)
    if job is None:
        raise Http404("没有这个任务，或不在您的管辖范围内")
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job, "downloadable": export_file_for(request.user, pk) is not None})


@login_required
def job_download(request, pk: int):
    """An export's file: for its creator and their office only, until it expires."""
    job = export_file_for(request.user, pk)
    if job is None:
        raise Http404("没有这个文件：任务不在您的管辖范围内、不是您办公室的导出、尚未完成或文件已过期")
    return download_response(job)
