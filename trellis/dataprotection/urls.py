from django.urls import path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/subject-access/", views.subject_access, name="pupil-subject-access"),
]
