from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caseload import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("visits/", include("visits.urls")),
    path("imports/", include("caseload.imports.urls")),
    path("admin/", admin.site.urls),
]
