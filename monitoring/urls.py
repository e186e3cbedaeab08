from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("me/", views.citizen_home, name="citizen_home"),
]
