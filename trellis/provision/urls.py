from django.urls import path

from . import manage_views, money_views, views

urlpatterns = [
    path("schools/<str:urn>/provision/", views.provision_map, name="provision-map"),
    path("schools/<str:urn>/provision/evaluation/", views.school_evaluation, name="provision-evaluation"),
    path("schools/<str:urn>/provision/money/", money_views.school_money, name="provision-money"),
    path("provision/money/", money_views.trust_money, name="provision-money-trust"),
    path("schools/<str:urn>/provision/import/", views.import_map, name="provision-import"),
    path(
        "schools/<str:urn>/provision/classes/<int:class_id>/strategies/", views.add_strategy, name="provision-strategy"
    ),
    path("provision/groups/<int:group_id>/", views.group_detail, name="provision-group"),
    path("pupils/<int:pupil_id>/provision/", views.pupil_provision, name="pupil-provision"),
    path("schools/<str:urn>/provision/catalogue/", manage_views.catalogue, name="provision-catalogue"),
    path(
        "schools/<str:urn>/provision/catalogue/new/", manage_views.edit_intervention, name="provision-intervention-new"
    ),
    path(
        "schools/<str:urn>/provision/catalogue/<int:intervention_id>/",
        manage_views.edit_intervention,
        name="provision-intervention-edit",
    ),
    path("schools/<str:urn>/provision/groups/new/", manage_views.new_group, name="provision-group-new"),
    path("provision/groups/<int:group_id>/enrol/", manage_views.enrol, name="provision-enrol"),
    path("provision/groups/<int:group_id>/change/", manage_views.change_group, name="provision-group-change"),
    path(
        "provision/groups/<int:group_id>/pupils/<int:enrolment_id>/",
        manage_views.change_enrolment,
        name="provision-enrolment-change",
    ),
    path("pupils/<int:pupil_id>/provision/ehc/", manage_views.add_ehc_provision, name="pupil-provision-ehc"),
]
