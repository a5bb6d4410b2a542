from django.urls import path, re_path

from . import views

urlpatterns = [
    path("dashboards/identification/", views.identification, name="dash-identification"),
    re_path(
        r"^dashboards/identification\.(?P<download>csv|xlsx)$",
        views.identification,
        name="dash-identification-download",
    ),
    path("dashboards/destinations/", views.leaver_destinations, name="dash-destinations"),
]
