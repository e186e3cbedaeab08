from django.urls import path

from alarms import doctor_views, views

app_name = "alarms"

urlpatterns = [
    path("nurse/", views.nurse_home, name="nurse_home"),
    path("doctor/", doctor_views.doctor_home, name="doctor_home"),
]
