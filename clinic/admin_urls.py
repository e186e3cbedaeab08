from django.urls import path

from clinic import (
    admin_alarm_views,
    admin_integration_urls,
    admin_questionnaire_urls,
    admin_reminder_views,
    admin_schedule_template_urls,
    admin_settings_urls,
)
from clinic import admin_views as views

app_name = "patients"

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("teams/", views.teams, name="teams"),
    path("relationships/", views.relationships, name="relationships"),
    path("relationships/<int:pk>/", views.relationship, name="relationship"),
    path("relationships/<int:pk>/care/", views.relationship_change, name="relationship_change"),
    path("relationships/<int:pk>/grant/", views.relationship_grant, name="relationship_grant"),
    path(
        "relationships/<int:pk>/withdraw/<int:user_pk>/",
        views.relationship_withdraw,
        name="relationship_withdraw",
    ),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_csv, name="audit_csv"),
    path("alarm-handling/", admin_alarm_views.alarm_handling, name="alarm_handling"),
    path(
        "alarm-handling/outcomes/own/",
        admin_alarm_views.outcomes_customise,
        name="outcomes_customise",
    ),
    path("alarm-handling/outcomes/new/", admin_alarm_views.outcome_new, name="outcome_new"),
    path("alarm-handling/outcomes/<int:pk>/", admin_alarm_views.outcome_edit, name="outcome_edit"),
    path("reminders/", admin_reminder_views.reminder_policy, name="reminder_policy"),
]

# Each area of the console keeps its routes in its own module.
urlpatterns += (
    admin_questionnaire_urls.urlpatterns
    + admin_schedule_template_urls.urlpatterns
    + admin_integration_urls.urlpatterns
    + admin_settings_urls.urlpatterns
)
