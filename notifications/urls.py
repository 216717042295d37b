from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("offenders/<int:pk>/notify/", views.RecordNotificationView.as_view(), name="record"),
    path("offenders/<int:pk>/orders/new/", views.OrderView.as_view(), name="order_add"),
    path("offenders/<int:pk>/orders/<int:order>/", views.OrderView.as_view(), name="order_edit"),
    path("offenders/<int:pk>/indefinite-review/", views.IndefiniteReviewView.as_view(), name="indefinite_review"),
    path("offenders/<int:pk>/remove/", views.RemoveView.as_view(), name="remove"),
]
