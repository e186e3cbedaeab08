"""The citizen's answering flow and messages, under /me/ (included from telemed/urls.py)."""

from django.urls import path

from citizen import access_views, account_views, answer_views, reminder_views

app_name = "citizen"

urlpatterns = [
    path("answer/<int:schedule_id>/", answer_views.answer_start, name="answer_start"),
    path(
        "answer/<int:schedule_id>/q/<slug:link_id>/",
        answer_views.answer_step,
        name="answer_step",
    ),
    path(
        "answer/<int:schedule_id>/summary/",
        answer_views.answer_summary,
        name="answer_summary",
    ),
    path(
        "answer/<int:schedule_id>/discard/",
        answer_views.answer_discard,
        name="answer_discard",
    ),
    path("answer/sent/<int:submission_id>/", answer_views.answer_sent, name="answer_sent"),
    path("messages/", answer_views.citizen_messages, name="messages"),
    path("receipts/", answer_views.citizen_receipts, name="receipts"),
    path("password/", account_views.password_change, name="password_change"),
    path("access/", access_views.citizen_access, name="access"),
    path("reminders/", reminder_views.citizen_reminders, name="reminders"),
]
