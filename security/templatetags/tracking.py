"""``{% tracking_code dispute %}``: the case's code (一案一码) as a QR and a link, for printed pages."""

from __future__ import annotations

import segno
from django import template
from django.urls import reverse

from security.models import Dispute
from security.services.tracking import tracking_token

register = template.Library()


@register.inclusion_tag("security/tracking/_code.html", takes_context=True)
def tracking_code(context, dispute: Dispute) -> dict:
    """The QR (an SVG data URI) and the address of the case's public page; the code is issued on first
    print (``tracking_token``)."""
    token = tracking_token(dispute=dispute)
    path = reverse("tracking:public", args=[token])
    request = context.get("request")
    url = request.build_absolute_uri(path) if request is not None else path
    return {"url": url, "token": token, "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2)}
