from django.urls import path

from clinic import doctor_views

app_name = "doctor"

urlpatterns = [
    path("doctor/patients/<int:pk>/", doctor_views.doctor_patient, name="patient"),
]
