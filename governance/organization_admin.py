"""组织与职务 in the admin: organisations and the posts people hold in them (``Post.clean`` runs each
organisation kind's rule from ``registry.post_rules``)."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ScopedAdminMixin, ScopedChoicesMixin
from governance.models import Organization, Post

# --- 组织与职务 ----------------------------------------------------------------------------------


class PostInline(ScopedChoicesMixin, admin.TabularInline):
    model = Post
    autocomplete_fields = ("person",)
    fields = ("title", "person", "is_head", "start_date", "end_date")
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "division", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("division",)
    search_fields = ("name", "uscc")
    autocomplete_fields = ("division", "parent")
    readonly_fields = ("created_at", "updated_at")
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "person", "organization", "is_head", "start_date", "end_date")
    list_filter = ("is_head",)
    list_select_related = ("person", "organization")
    search_fields = ("title", "person__name", "organization__name")
    autocomplete_fields = ("organization", "person")
