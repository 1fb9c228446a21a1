"""The applicant's side: no sign-in, reached through a federation's invitation link; the draft
is reopened through its own secret link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.access.public import public
from dangjian.applications import excel, services
from dangjian.applications.forms import (
    ApplicationForm,
    MemberFormSet,
    MembersUploadForm,
    member_initial,
)
from dangjian.applications.models import Application, Invitation, token_digest
from dangjian.core.validators import validate_id_number, validate_uscc

PREFIX = "members"


def bind_application_forms(request, federation, application=None):
    """The unit form, the member rows and the Excel upload, bound to the POST when there is one.

    "Import" replaces the rows on the page with the workbook's rows, validated by the same form,
    without saving anything.
    """
    post = request.POST if request.method == "POST" else None
    upload = MembersUploadForm()
    if post is not None and "import" in post:
        upload = MembersUploadForm(post, request.FILES)
        rows = None
        if upload.is_valid():
            try:
                rows = excel.read_members(upload.cleaned_data["members_file"])
            except ValidationError as exc:
                upload.add_error("members_file", exc)
        if rows is not None:
            data = {
                f"{PREFIX}-TOTAL_FORMS": str(len(rows)),
                f"{PREFIX}-INITIAL_FORMS": "0",
            }
            for i, row in enumerate(rows):
                data.update({f"{PREFIX}-{i}-{k}": v for k, v in row.items()})
            formset = MemberFormSet(data, prefix=PREFIX)
            formset.is_valid()  # show each row's errors beside its fields right away
            messages.info(
                request, _("%(count)d rows read from the workbook.") % {"count": len(rows)}
            )
        else:
            formset = MemberFormSet(post, prefix=PREFIX)
        # Keep what was typed in the unit form, without judging it before it is sent.
        form = ApplicationForm(initial=post.dict(), instance=application, federation=federation)
        return form, formset, upload, False
    form = ApplicationForm(post, instance=application, federation=federation)
    initial = member_initial(application) if application and post is None else None
    formset = MemberFormSet(post, prefix=PREFIX, initial=initial)
    valid = post is not None and form.is_valid() & formset.is_valid()
    return form, formset, upload, valid


@public
def apply(request, token):
    """A new application through an invitation link."""
    invitation = get_object_or_404(Invitation.objects.select_related("federation"), token=token)
    if not invitation.is_open():
        return render(
            request, "applications/apply_closed.html", {"invitation": invitation}, status=410
        )
    form, formset, upload, valid = bind_application_forms(request, invitation.federation)
    if valid:
        application, secret = services.start_application(
            invitation, form.cleaned_data, formset.rows(), actor=request.user
        )
        if "submit" in request.POST:
            services.submit_application(
                application, version=application.version, actor=request.user
            )
        link = request.build_absolute_uri(reverse("applications:apply_edit", args=[secret]))
        messages.success(
            request,
            format_html(
                "{} <code class='user-select-all'>{}</code>",
                _("Saved. Keep this secret link to come back to your application:"),
                link,
            ),
        )
        return redirect("applications:apply_edit", token=secret)
    return render(
        request,
        "applications/apply.html",
        {
            "federation": invitation.federation,
            "form": form,
            "formset": formset,
            "upload": upload,
            "application": None,
        },
    )


def _by_secret(token) -> Application:
    try:
        return Application.objects.select_related("federation").get(
            access_digest=token_digest(token)
        )
    except Application.DoesNotExist:
        raise Http404 from None


@public
def apply_edit(request, token):
    """The applicant's draft (or returned) application, through its secret link."""
    application = _by_secret(token)
    if not application.editable_by_applicant:
        return render(
            request,
            "applications/apply_status.html",
            {"application": application, "history": application.history.all()},
        )
    form, formset, upload, valid = bind_application_forms(
        request, application.federation, application
    )
    conflict = None
    if valid:
        try:
            application = services.save_application(
                application,
                form.cleaned_data,
                formset.rows(),
                version=request.POST.get("version"),
                actor=request.user,
            )
            if "submit" in request.POST:
                services.submit_application(
                    application, version=application.version, actor=request.user
                )
                messages.success(request, _("Your application was submitted for review."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("applications:apply_edit", token=token)
        except services.WorkflowError as exc:
            conflict = str(exc)
    return render(
        request,
        "applications/apply.html",
        {
            "federation": application.federation,
            "form": form,
            "formset": formset,
            "upload": upload,
            "application": application,
            "conflict": conflict,
            "history": application.history.all(),
        },
    )


VALIDATORS = {"uscc": validate_uscc, "id_number": validate_id_number}


@public
@require_POST
def validate_field(request, field):
    """htmx: check one credit code or ID number as it is typed (POST, so it stays out of logs).

    Checks the format only and never looks anything up, so it tells an outsider nothing.
    """
    validator = VALIDATORS.get(field)
    if validator is None:
        raise Http404
    value = next((v for k, v in request.POST.items() if k == field or k.endswith(f"-{field}")), "")
    if not value.strip():
        return HttpResponse("")
    try:
        validator(value)
    except ValidationError as exc:
        return HttpResponse(
            format_html('<div class="invalid-feedback d-block">{}</div>', exc.messages[0])
        )
    return HttpResponse(
        format_html('<div class="valid-feedback d-block">{}</div>', _("Format is valid."))
    )


@public
def members_template(request):
    response = HttpResponse(
        excel.template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="members.xlsx"'
    return response
