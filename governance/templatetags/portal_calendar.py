"""``{% calendar_warning %}``: the admin's warning about years with no published holiday schedule."""

from __future__ import annotations

from django import template

from governance.calendar import calendar_years_missing

register = template.Library()


@register.inclusion_tag("admin/governance/calendar_warning.html", takes_context=True)
def calendar_warning(context) -> dict:
    """The years ``calendar_years_missing`` names, for a user who may see the calendar; nothing (and no
    query) for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("governance.view_calendaryear"):
        return {"years": []}
    return {"years": calendar_years_missing(), "can_load": user.has_perm("governance.add_calendaryear")}
