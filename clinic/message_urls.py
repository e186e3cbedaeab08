"""Clinician pages about a patient's citizen login and messages, under /patients/<pk>/."""

from django.urls import path

from clinic import message_views

app_name = "patient_messages"

urlpatterns = [
    path("patients/<int:pk>/messages/", message_views.patient_messages, name="thread"),
    path("patients/<int:pk>/first-login/", message_views.first_login_sheet, name="first_login"),
    path("messages/", message_views.inbox, name="inbox"),
]
