"""The expert's side: only their assigned reviews, and everything blind.

Blind means: no unit, federation or person is named on these pages or in these downloads. The
title, sections, captions and stated figures pass through ``text.redact``; attachments are served
as "附件N.docx" with the names replaced inside the Word file and its properties cleared; images
were already re-encoded without metadata on upload.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.access import scope as access_scope
from dangjian.core.audit import record_read
from dangjian.core.events import AuditEvent

from .. import services, text, uploads
from ..models import Campaign, Review
from . import file_response
from .campaigns import _errors
from .submissions import case_context


@login_required
def review_list(request):
    reviews = access_scope.visible(Review, request.user).order_by(
        "-submission__campaign__year", "round", "pk"
    )
    return render(request, "cases/review_list.html", {"reviews": reviews})


def _review(request, pk):
    return access_scope.get_visible_or_404(access_scope.visible(Review, request.user), pk=pk)


@login_required
def review(request, pk):
    item = _review(request, pk)
    submission = item.submission
    campaign = submission.campaign
    names = text.redaction_names(submission)
    open_for_scoring = campaign.stage == Campaign.Stage.REVIEW
    if request.method == "POST" and open_for_scoring:
        scores = {c["key"]: request.POST.get(c["key"], "").strip() for c in campaign.rubric}
        try:
            services.save_review(
                item,
                actor=request.user,
                scores=scores,
                comment=request.POST.get("comment", ""),
                complete=bool(request.POST.get("complete")),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Scores saved."))
            if request.POST.get("complete"):
                return redirect("cases:review_list")
            return redirect("cases:review", pk=pk)
    context = case_context(submission, blind_names=names)
    context.update(
        review=item,
        campaign=campaign,
        blind_title=text.redact(submission.title, names),
        images=[(img, text.redact(img.caption, names)) for img in context["images"]],
        rubric=[(c, item.scores.get(c["key"], "")) for c in campaign.rubric],
        open_for_scoring=open_for_scoring,
    )
    return render(request, "cases/review.html", context)


@login_required
def review_image(request, pk, image_pk):
    item = _review(request, pk)
    img = access_scope.get_visible_or_404(item.submission.images.all(), pk=image_pk)
    return file_response(img.file, content_type="image/jpeg", filename="image.jpg")


@login_required
def review_attachment(request, pk, number):
    item = _review(request, pk)
    attachments = list(item.submission.attachments.all())
    if not 1 <= number <= len(attachments):
        raise Http404
    attachment = attachments[number - 1]
    try:
        with attachment.file.open("rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise Http404 from None
    if attachment.kind == "docx":
        data = uploads.blind_docx(data, text.redaction_names(item.submission), text.REDACTED)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        content_type = "image/jpeg"
    record_read(request.user, AuditEvent.CASE_BLIND_ATTACHMENT_DOWNLOAD, item, number=number)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=attachment.neutral_name(number),
        content_type=content_type,
    )
