"""Published cases for everyone: no sign-in, read-only, no personal data.

Only ``Publication`` rows with a publication time are reachable; pages show the frozen,
sanitised copy (title, editor's note, sections, captioned photos, corrections) and the name of
the unit or federation under which the case is published — never who typed it or their contacts.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from dangjian.access import scope as access_scope
from dangjian.access.public import public

from .. import docx_export, text
from ..models import Campaign, Publication, SubmissionImage
from . import file_response


@public
def index(request):
    return render(request, "cases/public_index.html", {"campaigns": access_scope.public(Campaign)})


@public
def campaign(request, pk):
    item = access_scope.get_visible_or_404(access_scope.public(Campaign), pk=pk)
    publications = access_scope.public(Publication).filter(campaign=item).order_by("number")
    return render(
        request, "cases/public_campaign.html", {"campaign": item, "publications": publications}
    )


def _publication(pk, number):
    return access_scope.get_visible_or_404(
        access_scope.public(Publication).select_related("campaign", "submission"),
        campaign_id=pk,
        number=number,
    )


@public
def case(request, pk, number):
    publication = _publication(pk, number)
    siblings = access_scope.public(Publication).filter(campaign_id=pk).order_by("number")
    context = {
        "publication": publication,
        "campaign": publication.campaign,
        "sections": [(k, text.sanitise(v)) for k, v in publication.ordered_sections()],
        "images": publication.submission.images.all(),
        "figures": publication.submission.figures.filter(confirmed=True),
        "revisions": publication.revisions.all(),
        "previous": siblings.filter(number__lt=number).last(),
        "next": siblings.filter(number__gt=number).first(),
    }
    return render(request, "cases/public_case.html", context)


@public
def case_docx(request, pk, number):
    publication = _publication(pk, number)
    data = docx_export.build(publication)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{publication.campaign.year}-{publication.number:02d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public
@cache_control(public=True, max_age=3600)
def image(request, image_pk):
    img = access_scope.get_visible_or_404(
        SubmissionImage.objects.filter(submission__publication__published_at__isnull=False),
        pk=image_pk,
    )
    return file_response(img.file, content_type="image/jpeg")
