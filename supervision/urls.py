from django.urls import path

from supervision import batch_views, views

app_name = "supervision"
urlpatterns = [
    path("offenders/<int:pk>/visit-request/", views.VisitRequestView.as_view(), name="visit_request"),
    path("requests/", views.RequestsWaitingView.as_view(), name="requests_waiting"),
    path("requests/<int:pk>/", views.DecideView.as_view(), name="decide"),
    path("bulk-cancellations/new/", batch_views.ProposeBatchView.as_view(), name="batch_propose"),
    path("bulk-cancellations/<int:pk>/", batch_views.BatchView.as_view(), name="batch"),
    path("bulk-cancellations/<int:pk>/visits.csv", batch_views.BatchVisitsExportView.as_view(), name="batch_visits"),
    path("decisions/", batch_views.DecisionsView.as_view(), name="decisions"),
    path("decisions.csv", batch_views.DecisionsExportView.as_view(), name="decisions_export"),
]
