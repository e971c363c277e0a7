from django.urls import path
from django.views.generic import RedirectView

from microcredit.apps.origination import views

urlpatterns = [
    path("", views.application_list, name="applications"),
    path("inbox/", RedirectView.as_view(pattern_name="todo:list"), name="inbox"),  # 待我审批 became 待办
    path("new/<int:household_pk>/", views.application_new, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/act/", views.application_act, name="act"),
    path("<int:pk>/disburse/", views.application_disburse, name="disburse"),
    path("<int:pk>/contract/", views.contract, name="contract"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
