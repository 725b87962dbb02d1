"""Form helpers shared by every app's officer pages."""

from __future__ import annotations

from django import forms

from governance.querysets import ScopedQuerySet


class ScopedFormMixin:
    """A form built for one user: every model choice whose queryset can be scoped offers only rows
    in the user's subtree, so a posted id from elsewhere is "not a valid choice" (a Chinese error
    on the field) and nothing is written. Use as ``MyForm(data, user=request.user)``."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.for_user(user)


class ScopedModelForm(ScopedFormMixin, forms.ModelForm):
    pass
