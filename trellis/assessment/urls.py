from django.urls import path

from . import boxall_views, views

urlpatterns = [
    path("schools/<str:urn>/scales/", views.scale_list, name="scales"),
    path("schools/<str:urn>/scales/new/", views.new_scale, name="scale-new"),
    path("schools/<str:urn>/assessments/", views.assessment_grid, name="assessment-grid"),
    path("schools/<str:urn>/boxall/ranges/", boxall_views.school_competent_ranges, name="competent-ranges"),
    path("pupils/<int:pupil_id>/boxall/", boxall_views.pupil_boxall, name="pupil-boxall"),
    path("pupils/<int:pupil_id>/boxall/new/", boxall_views.new_boxall, name="boxall-new"),
]
