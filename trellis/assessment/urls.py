from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/scales/", views.scale_list, name="scales"),
    path("schools/<str:urn>/scales/new/", views.new_scale, name="scale-new"),
    path("schools/<str:urn>/assessments/", views.assessment_grid, name="assessment-grid"),
]
