from django.urls import path

from caseload.dashboards import notification_views, views

app_name = "dashboards"
urlpatterns = [
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path("overdue-assessments/", views.OverdueAssessmentsView.as_view(), name="overdue_assessments"),
    path("overdue-mappa/", views.OverdueMappaView.as_view(), name="overdue_mappa"),
    path("unseen/", views.UnseenView.as_view(), name="unseen"),
    path("workload/", views.WorkloadView.as_view(), name="workload"),
    path("unallocated/", views.UnallocatedView.as_view(), name="unallocated"),
    path("overdue-notifications/", notification_views.OverdueNotificationsView.as_view(),
         name="overdue_notifications"),
    path("registration-ended/", notification_views.RegistrationEndedView.as_view(), name="registration_ended"),
    path("review-eligible/", notification_views.ReviewEligibleView.as_view(), name="review_eligible"),
    path("orders-ending/", notification_views.OrdersEndingView.as_view(), name="orders_ending"),
    path("officers/<int:pk>/", views.OfficerView.as_view(), name="officer"),
]
