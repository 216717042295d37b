from django.urls import path

from visits import flag_views, views

app_name = "visits"
urlpatterns = [
    path("mine/", views.MyCaseloadView.as_view(), name="my_caseload"),
    path("offenders/<int:pk>/", views.OffenderDetailView.as_view(), name="offender_detail"),
    path("offenders/<int:pk>/log-visit/", views.LogVisitView.as_view(), name="log_visit"),
    path("offenders/<int:pk>/tier/", views.ChangeTierView.as_view(), name="change_tier"),
    path("offenders/<int:pk>/assessment/", views.RecordAssessmentView.as_view(), name="record_assessment"),
    path("offenders/<int:pk>/mappa-meeting/", views.MappaMeetingView.as_view(), name="mappa_meeting"),
    path("offenders/<int:pk>/status/", views.ChangeStatusView.as_view(), name="change_status"),
    path("offenders/<int:pk>/reactive/", views.ReactiveView.as_view(), name="reactive"),
    path("offenders/<int:pk>/reassign/", views.ReassignView.as_view(), name="reassign"),
    path("flags/", flag_views.OpenFlagsView.as_view(), name="open_flags"),
]
