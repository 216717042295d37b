from django.urls import path

from caseload.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportHistoryView.as_view(), name="history"),
    path("<int:pk>/", views.ImportRunView.as_view(), name="run"),
    path("<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("<int:pk>/retry/", views.ImportRetryView.as_view(), name="retry"),
    path("<int:pk>/cancel/", views.ImportCancelView.as_view(), name="cancel"),
    path("<int:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
    path("<int:pk>/errors.csv", views.ImportErrorsView.as_view(), name="errors"),
]
