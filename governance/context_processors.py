from django.conf import settings


def portal(request) -> dict:
    return {"PORTAL_TITLE": settings.PORTAL_TITLE, "DISTRICT_NAME": settings.DISTRICT_NAME}
