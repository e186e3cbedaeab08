from django.urls import path

from citizen import views

app_name = "monitoring"

urlpatterns = [
    path("me/", views.citizen_home, name="citizen_home"),
    path("me/history/", views.citizen_history, name="citizen_history"),
    path("me/log/", views.citizen_log, name="citizen_log"),
]
