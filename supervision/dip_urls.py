from django.urls import path

from supervision import dip_views

app_name = "dip_samples"
urlpatterns = [
    path("", dip_views.DipSampleListView.as_view(), name="list"),
    path("results.csv", dip_views.DipSampleExportView.as_view(), name="export"),
    path("<int:pk>/", dip_views.DipSampleReviewView.as_view(), name="review"),
]
