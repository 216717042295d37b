import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from offenders.models import Offender, Officer, RiskTier, Team
from visits.models import Visit, VisitStatus


def tier(code: str) -> RiskTier:
    return RiskTier.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    staff_id = factory.Sequence(lambda n: f"OM{n:04d}")
    name = factory.Faker("name")
    team = factory.SubFactory(TeamFactory)
    fte = 1


class OffenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offender

    reference = factory.Sequence(lambda n: f"REF-{n:06d}")
    surname = factory.Faker("last_name")
    forenames = factory.Faker("first_name")
    date_of_birth = dt.date(1970, 1, 1)
    risk_tier = factory.LazyFunction(lambda: tier("medium"))
    officer = factory.SubFactory(OfficerFactory)
    registered_on = dt.date(2015, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    offender = factory.SubFactory(OffenderFactory)
    officer = factory.LazyAttribute(lambda v: v.offender.officer)
    due_on = dt.date(2016, 12, 1)
    status = VisitStatus.SCHEDULED
