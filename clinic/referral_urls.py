from django.urls import path

from clinic import referral_views as views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.referral_new, name="new"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept_view, name="accept"),
    path("referrals/<int:pk>/reject/", views.referral_reject_view, name="reject"),
    path("administration/thresholds/", views.template_list, name="templates"),
    path("administration/thresholds/<slug:copd_group>/", views.template_edit, name="template_edit"),
]
