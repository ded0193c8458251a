from django.urls import path

from siaga.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("employees/<int:pk>/account/", views.employee_account_create, name="employee_account_create"),
    path("employees/<int:pk>/risk/", views.employee_risk_update, name="employee_risk_update"),
    path("buildings/", views.building_list, name="building_list"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("spaces/<str:kind>/<int:pk>/status/", views.space_status, name="space_status"),
    path("delegations/", views.delegation_list, name="delegation_list"),
    path("delegations/new/", views.delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("authority/", views.authority_check, name="authority_check"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
]
