from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/concerns/", views.concern_list, name="concerns"),
    path("schools/<str:urn>/early-identification/", views.early_identification_list, name="early-identification"),
    path("pupils/<int:pupil_id>/concerns/new/", views.raise_concern, name="concern-new"),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/<int:concern_id>/correct/", views.correct_concern, name="concern-correct"),
    path("concerns/<int:concern_id>/evidence/", views.add_evidence, name="concern-evidence"),
    path("concerns/<int:concern_id>/views/request/", views.request_views, name="concern-request-views"),
    path("concerns/<int:concern_id>/views/mine/", views.answer_view, name="concern-answer-view"),
    path("concerns/<int:concern_id>/decision/", views.decide, name="concern-decide"),
]
