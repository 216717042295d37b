from django.contrib import admin
from django.urls import include, path

from caseload import api, health, metrics, signin, twofactor, views
from caseload.dashboards import views as dashboard_views
from caseload.sso import views as sso_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", sso_views.SignOutView.as_view(), name="logout"),
    path("sso/start/", sso_views.start, name="oidc_authentication_init"),
    path("sso/callback/", sso_views.callback, name="oidc_authentication_callback"),
    path("sso/refused/", sso_views.refused, name="sso_refused"),
    path("sso/backchannel-logout/", sso_views.backchannel_logout, name="sso_backchannel_logout"),
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
