"""The portal's error pages: 400, 403, 404, 500 and a failed CSRF check, in Chinese, inside the
portal's frame (header, navigation for a signed-in user, a way back). Out-of-scope links answer 404
by design, so clerks meet that page often; it says so without telling whether the record exists."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

TEMPLATE = "errors/_error.html"

PAGES = {
    400: (_("请求有误"), _("提交的内容无法识别，可能是链接不完整或表单已过期。请返回上一页重试。")),
    403: (_("没有权限"), _("您的账号没有进行此项操作的权限。如确需办理，请联系区级管理员分配角色。")),
    404: (
        _("页面不存在或不在您的管辖范围内"),
        _("您要找的页面或记录不存在，或者不属于您管辖的区划。请检查链接，或从导航重新进入。"),
    ),
    500: (_("系统出错了"), _("服务器处理请求时出错，错误已记录，管理员会尽快处理。请稍后再试。")),
}
CSRF_PAGE = (
    _("页面已过期"),
    _("表单的安全校验未通过，可能是页面停留过久或在其他窗口退出了登录。请刷新页面后重新提交。"),
)


def _render(request: HttpRequest | None, status: int, heading, explanation) -> HttpResponse:
    context = {"status": status, "heading": heading, "explanation": explanation}
    # Without a request no context processor runs: nothing of the database is touched, so the page
    # still renders when the database is the reason for the error.
    body = loader.render_to_string(TEMPLATE, context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    heading, explanation = PAGES[400]
    if isinstance(exception, BadRequest) and str(exception):
        explanation = str(exception)  # a view's own Chinese reason ("年份无效…")
    return _render(None, 400, heading, explanation)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, *PAGES[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, *PAGES[404])


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(None, 500, *PAGES[500])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(request, 403, *CSRF_PAGE)
