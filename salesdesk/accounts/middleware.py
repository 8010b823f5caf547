"""Per-request language and company for the browser."""

import contextlib

from django.utils import translation
from rest_framework.exceptions import PermissionDenied

from salesdesk.accounts.tenancy import resolve_request_company


class UserLanguageMiddleware:
    """Activate the language chosen by the user (or their session), else the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        lang = request.session.get("_language") if hasattr(request, "session") else None
        if not lang:
            lang = translation.get_language_from_request(request)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class CompanyMiddleware:
    """`request.company` and `request.membership` for signed-in browser users.

    A user without any active membership gets `None` for both; the web views answer that
    with a page that says so instead of showing another company's data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)  # the API resolves it after token authentication
        request.company = request.membership = None
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            with contextlib.suppress(PermissionDenied):
                request.company, request.membership = resolve_request_company(request)
            request._salesdesk_tenancy_done = True
        return self.get_response(request)
