from django.conf import settings
from django.contrib.auth import views as auth_views

from dangjian.access.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "access/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from dangjian.demo.personas import PERSONAS

            context["demo_personas"] = PERSONAS
        return context


class SignOutView(auth_views.LogoutView):
    pass
