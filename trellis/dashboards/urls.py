from django.urls import path, re_path

from . import benchmark_views, cohort_views, progress_views, views

urlpatterns = [
    path("dashboards/", progress_views.dashboard_home, name="dashboard"),
    path("dashboards/trust/", progress_views.trust_dashboard, name="dashboard-trust"),
    path("dashboards/schools/<str:urn>/", progress_views.school_dashboard, name="dashboard-school"),
    path("dashboards/identification/", views.identification, name="dash-identification"),
    re_path(
        r"^dashboards/identification\.(?P<download>csv|xlsx)$",
        views.identification,
        name="dash-identification-download",
    ),
    path("dashboards/destinations/", views.leaver_destinations, name="dash-destinations"),
    re_path(
        r"^dashboards/destinations\.(?P<download>csv|xlsx)$",
        views.leaver_destinations,
        name="dash-destinations-download",
    ),
    path("dashboards/schools/<str:urn>/benchmarks/", benchmark_views.benchmark_figures, name="dash-benchmarks"),
    path(
        "dashboards/schools/<str:urn>/benchmarks/<int:pk>/remove/",
        benchmark_views.remove_benchmark,
        name="dash-benchmark-remove",
    ),
    path("dashboards/cohort/", cohort_views.cohort_page, name="dash-cohort"),
]
