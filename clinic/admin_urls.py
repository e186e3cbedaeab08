from django.urls import path

from clinic import admin_views as views

app_name = "patients"

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("teams/", views.teams, name="teams"),
    path("relationships/", views.relationships, name="relationships"),
    path("relationships/<int:pk>/", views.relationship, name="relationship"),
    path("relationships/<int:pk>/care/", views.relationship_change, name="relationship_change"),
    path("relationships/<int:pk>/grant/", views.relationship_grant, name="relationship_grant"),
    path(
        "relationships/<int:pk>/withdraw/<int:user_pk>/",
        views.relationship_withdraw,
        name="relationship_withdraw",
    ),
    path("audit/", views.audit, name="audit"),
]
