from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from telemed import login, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login.TelemedLoginView.as_view(), name="login"),
    path("password/first/", login.password_first_change, name="password_first_change"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/", views.admin_home, name="admin_home"),
    path("", include("alarms.urls")),
    path("patients/", include("alarms.patient_urls")),
    path("", include("alarms.referral_urls")),
    path("", include("alarms.doctor_urls")),
    path("administration/", include("patients.urls")),
    path("", include("monitoring.urls")),
    path("", include("interop.urls")),
    path("me/", include("alarms.citizen_urls")),
    path("", include("alarms.message_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
