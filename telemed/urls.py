from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from telemed import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/", views.admin_home, name="admin_home"),
    path("", include("alarms.urls")),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
