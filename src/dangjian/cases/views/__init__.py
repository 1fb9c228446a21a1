"""Views of the case collection, split by who uses them: owners (campaigns), submitters
(submissions), experts (reviews, always blind) and the public (published cases)."""

from django.http import FileResponse, Http404


def file_response(field, **kwargs) -> FileResponse:
    """Serve a stored file; a file missing from storage is a 404, not a server error."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, **kwargs)
