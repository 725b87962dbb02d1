"""站内通知 pages: the inbox (newest first, unread marked), marking read, and each person's choice of
e-mail per kind. A person sees only their own notices; anyone else's id answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from governance.models import Notice, NoticePreference
from governance.notices import notices_mark_read
from governance.registry import registry

PAGE_SIZE = 30


class NoticeListView(LoginRequiredMixin, ListView):
    template_name = "governance/notice_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        queryset = Notice.objects.for_recipient(self.request.user)
        if self.request.GET.get("unread") == "1":
            queryset = queryset.unread()
        return queryset.order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        kinds = {key: kind.title for key, kind in registry.notice_kinds.items()}
        context = super().get_context_data(**kwargs)
        for notice in context["object_list"]:
            notice.kind_title = kinds.get(notice.kind, notice.kind)
        context["only_unread"] = self.request.GET.get("unread") == "1"
        return context


class NoticeReadView(LoginRequiredMixin, View):
    """POST: ``id`` marks one notice read and follows its link; no ``id`` marks all read."""

    def post(self, request):
        raw = request.POST.get("id", "").strip()
        if not raw:
            count = notices_mark_read(user=request.user)
            messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
            return HttpResponseRedirect(reverse("governance:notice-list"))
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise Http404
        notice = Notice.objects.for_recipient(request.user).filter(pk=int(raw)).first()
        if notice is None:
            raise Http404
        notices_mark_read(user=request.user, ids=[notice.pk])
        target = notice.url
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("governance:notice-list")
        return HttpResponseRedirect(target)


class NoticeSettingsForm(forms.Form):
    def __init__(self, *args, chosen: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in sorted(registry.notice_kinds.values(), key=lambda k: (k.order, k.key)):
            self.fields[kind.key] = forms.BooleanField(
                label=kind.title, help_text=kind.description, required=False, initial=kind.key in chosen
            )


class NoticeSettingsView(LoginRequiredMixin, View):
    """Per kind: in the portal only (unticked), or by e-mail too (ticked; needs an address)."""

    template_name = "governance/notice_settings.html"

    def _chosen(self, user) -> set[str]:
        return set(NoticePreference.objects.filter(user=user, email=True).values_list("kind", flat=True))

    def get(self, request):
        form = NoticeSettingsForm(chosen=self._chosen(request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = NoticeSettingsForm(request.POST, chosen=self._chosen(request.user))
        if not form.is_valid():  # unreachable with checkboxes, kept for the contract
            return render(request, self.template_name, {"form": form}, status=400)
        if any(form.cleaned_data.values()) and not request.user.email:
            form.add_error(None, _("您的账号没有登记电子邮箱，请先请管理员登记后再选择邮件通知。"))
            return render(request, self.template_name, {"form": form}, status=400)
        for kind, email in form.cleaned_data.items():
            NoticePreference.objects.update_or_create(user=request.user, kind=kind, defaults={"email": email})
        messages.success(request, _("通知设置已保存。"))
        return HttpResponseRedirect(reverse("governance:notice-settings"))
