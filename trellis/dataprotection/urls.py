from django.urls import path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/subject-access/", views.subject_access, name="pupil-subject-access"),
    path("retention/", views.retention_list, name="retention"),
    path("retention/<int:pupil_id>/delete/", views.retention_delete, name="retention-delete"),
]
