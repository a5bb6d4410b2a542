from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/imports/", views.history, name="import-history"),
    path("schools/<str:urn>/imports/new/", views.upload, name="import-upload"),
    path("schools/<str:urn>/imports/<int:pk>/", views.run_detail, name="import-run"),
    path("schools/<str:urn>/imports/upload/<str:token>/", views.preview, name="import-preview"),
    path("schools/<str:urn>/imports/upload/<str:token>/confirm/", views.confirm, name="import-confirm"),
    path("schools/<str:urn>/register/ctf/", views.register_ctf, name="register-ctf"),
    path("pupils/<int:pupil_id>/ctf/", views.pupil_ctf, name="pupil-ctf"),
]
