from django.urls import path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/documents/<slug:kind>/", views.pupil_document, name="pupil-document"),
    path(
        "pupils/<int:pupil_id>/documents/<slug:kind>.pdf",
        views.pupil_document,
        {"fmt": "pdf"},
        name="pupil-document-pdf",
    ),
    path("pupils/<int:pupil_id>/documents/transition.zip", views.transition_package, name="pupil-transition-package"),
    path("schools/<str:urn>/documents/<slug:kind>/", views.school_document, name="school-document"),
    path(
        "schools/<str:urn>/documents/<slug:kind>.pdf", views.school_document, {"fmt": "pdf"}, name="school-document-pdf"
    ),
]
