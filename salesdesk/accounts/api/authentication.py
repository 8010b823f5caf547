"""API tokens, as DRF's `TokenAuthentication` checks them, with the token's read composed once
(`core.prepared`): every API request makes it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from salesdesk.core.prepared import Prepared

_TOKEN = Prepared(lambda key: Token.objects.select_related("user").filter(key=key), str)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # No key holds a NUL, and PostgreSQL refuses to even compare one.
        token = None if "\x00" in key else _TOKEN.first(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
