"""One flag's page and the actions on it, under /visits/flags/ beside the list (visits:open_flags)."""

from django.urls import path

from visits import flag_views

app_name = "flags"
urlpatterns = [
    path("<int:pk>/", flag_views.FlagDetailView.as_view(), name="detail"),
    path("<int:pk>/acknowledge/", flag_views.AcknowledgeFlagView.as_view(), name="acknowledge"),
    path("<int:pk>/assign/", flag_views.AssignFlagView.as_view(), name="assign"),
    path("<int:pk>/note/", flag_views.FlagNoteView.as_view(), name="note"),
]
