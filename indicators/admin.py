"""Read-only admin for the daily indicator rows (they are rebuilt, never edited by hand)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from indicators.models import IndicatorDay, IndicatorRuleDay


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorDay)
class IndicatorDayAdmin(_ReadOnly):
    list_display = ["day", "organisation", "team", "patients_active", "alarms_red"]
    list_filter = ["organisation"]
    date_hierarchy = "day"


@admin.register(IndicatorRuleDay)
class IndicatorRuleDayAdmin(_ReadOnly):
    list_display = ["day", "organisation", "team", "rule", "severity", "action", "no_action"]
    list_filter = ["organisation", "severity"]
    date_hierarchy = "day"
