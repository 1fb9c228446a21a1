"""Views of the case collection, split by who uses them: owners (campaigns), submitters
(submissions), experts (reviews, always blind) and the public (published cases)."""

from dangjian.core.http import file_response

__all__ = ["file_response"]
