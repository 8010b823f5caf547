"""Signing in, the home page, and the company and language switches."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.accounts import roles
from salesdesk.accounts import services as account_services
from salesdesk.accounts.tenancy import SESSION_KEY, memberships_of
from salesdesk.core.web.access import no_company
from salesdesk.core.web.home import cards_for


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            self.request.session["_language"] = language
        return response


class SignOutView(auth_views.LogoutView):
    pass


def _next_url(request) -> str:
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("home")
    return target


def home(request):
    if not request.user.is_authenticated:
        return auth_views.redirect_to_login(request.get_full_path())
    membership = request.membership
    if membership is None:
        return no_company(request)
    role_labels = [roles.LABELS.get(name, name) for name in sorted(membership.role_names)]
    return render(request, "home.html", {"cards": cards_for(request), "roles": role_labels, "membership": membership})


@require_POST
def switch_company(request):
    if not request.user.is_authenticated:
        return auth_views.redirect_to_login(reverse("home"))
    code = request.POST.get("company", "")
    membership = memberships_of(request.user).filter(company__code=code).first()
    if membership is None:
        messages.error(request, _("You do not belong to that company."))
        return HttpResponseRedirect(reverse("home"))
    request.session[SESSION_KEY] = membership.company.code
    messages.success(request, _("You are now working in %(company)s.") % {"company": membership.company.name})
    # The page we came from may show a record of the other company: start from home.
    return HttpResponseRedirect(reverse("home"))


@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    request.session["_language"] = language
    user = request.user
    if user.is_authenticated and user.language != language:
        # The choice follows the user to their next session (and other devices).
        account_services.user_set_language(user=user, language=language)
    translation.activate(language)
    messages.success(request, _("Language changed."))
    return HttpResponseRedirect(_next_url(request))
