from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caseload import api, health, metrics, signin, twofactor, views
from caseload.dashboards import views as dashboard_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=signin.SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", twofactor.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("account/two-factor/verify/", twofactor.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/", include("caseload.dashboards.urls")),
    path("visits/", include("visits.urls")),
    path("visits/flags/", include("visits.flag_urls")),
    path("notifications/", include("notifications.urls")),
    path("supervision/", include("supervision.urls")),
    path("supervision/dip-samples/", include("supervision.dip_urls")),
    path("availability/", include("availability.urls")),
    path("api/v1/summary/", api.summary, name="api_summary"),
    path("imports/", include("caseload.imports.urls")),
    path("admin/", admin.site.urls),
]
