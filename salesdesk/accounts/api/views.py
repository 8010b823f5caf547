from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from salesdesk.accounts import roles, services
from salesdesk.accounts.api import serializers as s
from salesdesk.accounts.models import Membership, Region, SalesTeam, User
from salesdesk.core.api.views import CompanyScopedReadOnlyViewSet, MasterDataViewSet


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=s.TokenRequestSerializer, responses={200: s.TokenSerializer}, auth=[])
    def post(self, request):
        body = s.TokenRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=body.validated_data["user"])
        return Response({"token": token.key})


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=[(r, r) for r in roles.ALL], method="filter_role")

    class Meta:
        model = User
        fields = ["role"]

    def filter_role(self, qs, name, value):
        company = self.request.company
        return qs.filter(memberships__company=company, memberships__roles__name=value).distinct()


class UserViewSet(CompanyScopedReadOnlyViewSet):
    """People of the company with their roles, team, region and manager there."""

    queryset = User.objects.all()
    serializer_class = s.UserSerializer
    filterset_class = UserFilter
    search_fields = ["username", "full_name", "email"]
    ordering_fields = ["username", "full_name"]
    perm_model = Membership
    action_perms = {"list": "accounts.view_membership", "retrieve": "accounts.view_membership"}

    def get_queryset(self):
        company = self.request.company
        return (
            User.objects.in_company(company)
            .prefetch_related(Prefetch("memberships", queryset=Membership.objects.filter(company=company).prefetch_related("roles")))
            .order_by("username")
        )


class RegionViewSet(MasterDataViewSet):
    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    filterset_fields = ["parent"]
    search_fields = ["name"]
    ordering_fields = ["name"]

    def perform_update(self, serializer):
        serializer.instance = services.region_update(region=serializer.instance, actor=self.request.user, **serializer.validated_data)


class SalesTeamViewSet(MasterDataViewSet):
    queryset = SalesTeam.objects.prefetch_related("memberships")
    serializer_class = s.SalesTeamSerializer
    filterset_fields = ["region", "manager"]
    search_fields = ["name"]
    ordering_fields = ["name"]

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        members = values.pop("members", None)
        serializer.instance = services.team_save(company=self.request.company, actor=self.request.user, members=members, **values)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        members = values.pop("members", None)
        serializer.instance = services.team_save(
            company=self.request.company, actor=self.request.user, team=serializer.instance, members=members, **values
        )
