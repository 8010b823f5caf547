from django.contrib.auth import authenticate
from rest_framework import serializers

from salesdesk.accounts.models import Membership, Region, SalesTeam, User
from salesdesk.core.api.fields import CompanyRelatedField
from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.core.errors import DomainError


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 400
    default_message = "Wrong username or password."


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None or not user.is_active:
            raise InvalidCredentials()
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class RegionSerializer(CompanyModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "parent"]


class SalesTeamSerializer(CompanyModelSerializer):
    members = serializers.ListField(child=CompanyRelatedField(model=User), required=False, help_text="User ids of the team's members.")

    class Meta:
        model = SalesTeam
        fields = ["id", "name", "manager", "members", "region"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["members"] = sorted(m.user_id for m in instance.memberships.all())
        return data


class UserSerializer(serializers.ModelSerializer):
    """A user as seen in the request's company (roles, team, region and manager are per company)."""

    roles = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    manager = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "roles", "team", "region", "manager"]

    def _membership(self, user) -> Membership | None:
        company = self.context["request"].company
        return next((m for m in user.memberships.all() if m.company_id == company.pk), None)

    def get_roles(self, user) -> list[str]:
        m = self._membership(user)
        return sorted(g.name for g in m.roles.all()) if m else []

    def get_team(self, user) -> int | None:
        m = self._membership(user)
        return m.team_id if m else None

    def get_region(self, user) -> int | None:
        m = self._membership(user)
        return m.region_id if m else None

    def get_manager(self, user) -> int | None:
        m = self._membership(user)
        return m.manager_id if m else None
