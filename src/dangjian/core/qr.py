"""QR codes drawn on the server as inline SVG (segno): no image service, no CDN, no script —
an intranet page shows them under the strict CSP."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(data: str, *, scale: int = 6, title: str = "") -> SafeString:
    """``data`` as an inline <svg> element (error correction M, a quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        out,
        kind="svg",
        scale=scale,
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,  # sized by CSS (viewBox only), so it shrinks on a phone
        dark="#000",
        light="#fff",
    )
    # segno escapes the title; the rest is its own markup.
    return mark_safe(out.getvalue().decode())  # noqa: S308
