from django.urls import path

from availability import views

app_name = "availability"
urlpatterns = [
    path("", views.AbsenceListView.as_view(), name="absences"),
    path("new/", views.AbsenceCreateView.as_view(), name="absence_new"),
    path("<int:pk>/", views.AbsenceDetailView.as_view(), name="absence"),
    path("<int:pk>/remove/", views.AbsenceRemoveView.as_view(), name="absence_remove"),
    path("teams/<int:pk>/rebalance/", views.RebalanceView.as_view(), name="rebalance"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
]
