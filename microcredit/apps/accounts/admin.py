"""User administration (admin role): role, scope prefixes and bank; groups follow the role."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.services import _FIELDS, user_save_role
from microcredit.apps.audit.services import snapshot


@admin.register(User)
class MicrocreditUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "role", "scope_regions", "bank", "is_active")
    list_filter = ("role", "bank", "is_active")
    fieldsets = UserAdmin.fieldsets + (("角色与辖区", {"fields": ("role", "scope_regions", "bank", "household", "phone")}),)
    raw_id_fields = ("household",)

    def save_model(self, request, obj, form, change):
        self._before = snapshot(User.objects.get(pk=obj.pk), _FIELDS) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the form's own m2m save, so the role's group wins over the groups widget.
        super().save_related(request, form, formsets, change)
        user_save_role(user=form.instance, actor=request.user, before=self._before)
