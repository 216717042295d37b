from django.urls import path

from visits import flag_views, views

app_name = "visits"
urlpatterns = [
    path("mine/", views.MyCaseloadView.as_view(), name="my_caseload"),
    path("offenders/<int:pk>/", views.OffenderDetailView.as_view(), name="offender_detail"),
    path("flags/", flag_views.OpenFlagsView.as_view(), name="open_flags"),
]
