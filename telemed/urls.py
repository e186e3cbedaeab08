from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import home_views
from telemed import invitations, login

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", login.TelemedLoginView.as_view(), name="login"),
    path("password/first/", login.password_first_change, name="password_first_change"),
    path("welcome/<uidb64>/<token>/", invitations.invitation_accept, name="invitation_accept"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/", home_views.admin_home, name="admin_home"),
    path("", include("clinic.urls")),
    path("patients/", include("clinic.patient_urls")),
    path("", include("clinic.referral_urls")),
    path("", include("clinic.doctor_urls")),
    path("administration/", include("clinic.admin_urls")),
    path("", include("citizen.home_urls")),
    path("", include("interop.urls")),
    path("me/", include("citizen.urls")),
    path("", include("clinic.message_urls")),
    path("indicators/", include("indicators.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
