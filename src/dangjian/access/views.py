"""Sign-in (with the optional second factor), sign-out, password change, TOTP enrolment."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dangjian.access import lockout, services
from dangjian.access.forms import ChangePasswordForm, DisableTotpForm, SignInForm, TotpForm
from dangjian.access.middleware import SECOND_FACTOR_PASSED
from dangjian.core.http import client_ip

PENDING = "dangjian_pending_2fa"


def _signed_in(request: HttpRequest) -> User:
    # Only behind login_required: the user is a signed-in account, not the anonymous one.
    return cast(User, request.user)


class SignInView(auth_views.LoginView):
    template_name = "access/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        security = getattr(user, "security", None)
        if security is not None and security.totp_enabled:
            # Password is right; the session is not signed in until the code is too.
            self.request.session[PENDING] = {"user": user.pk, "next": self.get_success_url()}
            return redirect("login_totp")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def sign_in_totp(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if lockout.is_locked(user.get_username(), ip):
            form.add_error(None, _("Too many failed sign-ins. Try again later."))
        elif services.verify_totp(user, form.cleaned_data["code"]):
            del request.session[PENDING]
            login(request, user, backend="dangjian.access.backends.LockoutBackend")
            # What the middleware and the admin site check before trusting a TOTP account's session.
            request.session[SECOND_FACTOR_PASSED] = user.pk
            target = pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(target)
        else:
            lockout.record_attempt(user.get_username(), ip, succeeded=False)
            form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "access/login_totp.html", {"form": form})


class SignOutView(auth_views.LogoutView):
    pass


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Stands in for Django's own /admin/login/, which would sign in with the password alone,
    past the lockout and the second factor: there is one sign-in, the project's."""
    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if admin_site.has_permission(request):
            return redirect(target)
        # Signed in but not staff: sending them to sign in again would loop back here.
        raise PermissionDenied
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            user, form.cleaned_data["new_password1"], actor=user, request=request
        )
        messages.success(request, _("Your password has been changed."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    security = getattr(request.user, "security", None)
    return render(
        request,
        "access/password_change.html",
        {"form": form, "forced": bool(security and security.must_change_password)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    security = services.security_of(user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "start":
        services.start_totp_enrolment(user, actor=user)
        return redirect("totp_setup")
    disable_form = DisableTotpForm(
        request.POST if request.POST.get("action") == "disable" else None
    )
    if request.method == "POST" and request.POST.get("action") == "disable":
        if disable_form.is_valid():
            if services.disable_totp(
                user,
                actor=user,
                password=disable_form.cleaned_data["password"],
                code=disable_form.cleaned_data["code"],
            ):
                messages.success(request, _("The second factor is off."))
                return redirect("totp_setup")
            disable_form.add_error(None, _("The password or the code is wrong."))
        security.refresh_from_db()
        return render(
            request,
            "access/totp_setup.html",
            {"security": security, "form": form, "disable_form": disable_form, "uri": ""},
        )
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user, form.cleaned_data["code"], actor=user):
            # The code just given proves the factor for this session too.
            request.session[SECOND_FACTOR_PASSED] = user.pk
            messages.success(request, _("The second factor is on."))
            return redirect("totp_setup")
        form.add_error("code", _("The code is wrong or has expired."))
    security.refresh_from_db()
    uri = ""
    if security.totp_secret and not security.totp_enabled:
        import pyotp

        uri = pyotp.TOTP(security.totp_secret).provisioning_uri(
            name=user.get_username(), issuer_name="dangjian"
        )
    return render(
        request,
        "access/totp_setup.html",
        {"security": security, "form": form, "disable_form": disable_form, "uri": uri},
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: the user's to-do list, one panel per kind of work their roles
    give them (``access.home``; each app registers its panels); with no role at all, a page
    saying so and whom to ask."""
    from django.utils import timezone

    from dangjian.access import capabilities, home, scope
    from dangjian.access.people_lists import role_words

    if not capabilities.has(request.user, "any_role"):
        return render(request, "access/no_role.html")
    today = timezone.localdate()
    return render(
        request,
        "access/home.html",
        {
            "today": today,
            "roles": [role_words(g) for g in scope.current_assignments(request.user)],
            "panels": home.build(request, today),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the refused form in Chinese, with what to do (usually: the page was
    open too long, or cookies are off). The technical ``reason`` is not shown to users."""
    return render(request, "403_csrf.html", status=403)
