"""Routes of one area of the organisation admin console, joined into clinic.admin_urls (namespace
"patients", under /administration/): the questionnaire library."""

from django.urls import URLPattern, path

from clinic import admin_questionnaire_views as views

urlpatterns: list[URLPattern] = [
    path("questionnaires/", views.questionnaires, name="questionnaires"),
    path("questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path("questionnaires/<int:pk>/", views.questionnaire, name="questionnaire"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path(
        "questionnaires/<int:pk>/preview/",
        views.questionnaire_preview,
        name="questionnaire_preview",
    ),
    path(
        "questionnaires/<int:pk>/publish/",
        views.questionnaire_publish,
        name="questionnaire_publish",
    ),
    path(
        "questionnaires/<int:pk>/retire/", views.questionnaire_retire, name="questionnaire_retire"
    ),
    path(
        "questionnaires/<int:pk>/new-version/",
        views.questionnaire_new_version,
        name="questionnaire_new_version",
    ),
    path(
        "questionnaires/<int:pk>/discard/",
        views.questionnaire_discard,
        name="questionnaire_discard",
    ),
    path("questionnaires/<int:pk>/questions/new/", views.item_new, name="questionnaire_item_new"),
    path(
        "questionnaires/<int:pk>/questions/<int:item_pk>/",
        views.item_edit,
        name="questionnaire_item",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:item_pk>/remove/",
        views.item_remove,
        name="questionnaire_item_remove",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:item_pk>/move/",
        views.item_move,
        name="questionnaire_item_move",
    ),
]
