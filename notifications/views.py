"""Pages for an offender's notifications, orders and notification period: thin views over notifications/services.py,
built on the case action pages of visits/views.py (login, the user's scope, errors shown on the form)."""

from django.shortcuts import get_object_or_404

from notifications import forms, services
from notifications.models import CivilOrder
from visits import rules
from visits.models import ReviewKind
from visits.selectors import open_review
from visits.views import CaseActionView


class RecordNotificationView(CaseActionView):
    """An officer records a notification made at a police station: periodic, weekly, a change, a trip abroad."""

    form_class = forms.NotificationForm
    template_name = "notifications/record_notification.html"
    supervisors_only = False
    title = "Record a notification"

    def get_context_data(self, **kwargs):
        return super().get_context_data(open_notification=open_review(self.offender, ReviewKind.NOTIFICATION),
                                        **kwargs)

    def perform(self, data):
        notification = services.notification_record(
            offender=self.offender, user=self.request.user, notified_on=data["notified_on"], kind=data["kind"],
            details=data["details"], address=data["new_address"], postcode=data["new_postcode"],
            no_fixed_abode=True if data["no_fixed_abode"] else None, destination=data["destination"],
            departs_on=data["departs_on"], returns_on=data["returns_on"],
        )
        late = rules.travel_notified_late(notified_on=notification.notified_on, departs_on=notification.departs_on)
        self.success_message = f"{notification.get_kind_display()} notification recorded." + (
            " The trip was notified late (less than the lead time before departure)." if late else "")


class OrderView(CaseActionView):
    """A supervisor adds an order to the case, or corrects one."""

    form_class = forms.OrderForm
    success_message = "Order saved."

    @property
    def title(self):
        return "Edit an order" if self.kwargs.get("order") else "Add an order"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.kwargs.get("order"):
            kwargs["instance"] = get_object_or_404(CivilOrder, pk=self.kwargs["order"], offender=self.offender)
        return kwargs

    def perform(self, data):
        order = None
        if self.kwargs.get("order"):
            order = get_object_or_404(CivilOrder, pk=self.kwargs["order"], offender=self.offender)
        services.order_save(offender=self.offender, user=self.request.user, kind=data["kind"],
                            starts_on=data["starts_on"], ends_on=data["ends_on"], conditions=data["conditions"],
                            order=order)


class IndefiniteReviewView(CaseActionView):
    """A supervisor records the outcome of a review of an indefinite notification requirement."""

    form_class = forms.IndefiniteReviewForm
    title = "Record a review of indefinite notification"
    success_message = "Review recorded."

    def perform(self, data):
        services.indefinite_review_record(offender=self.offender, user=self.request.user,
                                          decided_on=data["decided_on"], outcome=data["outcome"],
                                          notes=data["notes"])


class RemoveView(CaseActionView):
    """A supervisor takes an offender whose notification period has ended off the register."""

    form_class = forms.RemovalForm
    title = "Remove from the register"
    success_message = "Removed from the register. The record and its history are kept."

    def perform(self, data):
        services.offender_remove(offender=self.offender, user=self.request.user, reason=data["reason"])
