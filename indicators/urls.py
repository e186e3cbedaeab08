"""/indicators/: the quality indicators of a team or an organisation."""

from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicators_page, name="page"),
    path("<slug:table>.csv", views.indicators_csv, name="csv"),
]
