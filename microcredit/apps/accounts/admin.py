"""Django admin, for superusers only (the county office and administrators manage users on the
`/account/users/` pages): role, scope prefixes and bank; groups follow the role.

Changes are audited by accounts.signals (role/scope fields, groups, permissions, passwords).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from microcredit.apps.accounts.current import current_actor
from microcredit.apps.accounts.models import ApiToken, User
from microcredit.apps.accounts.selectors import scope_names
from microcredit.apps.accounts.services import user_save_role


admin.site.site_header = admin.site.site_title = "Microcredit 管理后台"
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser


@admin.register(User)
class MicrocreditUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "scope", "bank", "is_active")
    list_filter = ("role", "bank", "is_active")
    fieldsets = UserAdmin.fieldsets + (("角色与辖区", {"fields": ("role", "scope_regions", "bank", "household", "phone")}),)
    raw_id_fields = ("household",)

    @admin.display(description="姓名")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description="管辖范围")
    def scope(self, obj: User) -> str:
        return "、".join(scope_names([obj], user=current_actor()).values())

    def save_related(self, request, form, formsets, change):
        # After the form's own m2m save, so the role's group wins over the groups widget.
        super().save_related(request, form, formsets, change)
        user_save_role(user=form.instance, actor=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only list (the secret is never stored); revoke from the user's profile page."""

    list_display = ("user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_reason",)
    search_fields = ("user__username", "prefix")
    readonly_fields = list_display + ("digest",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revocation keeps the row and is audited; deleting would hide it
