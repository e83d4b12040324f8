from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pesem import views
from pesem.api.routes import api
from pesem.dashboards import plan_views, prospective_views
from pesem.dashboards import views as dashboard_views
from pesem.planio import views as planio_views
from pesem.report import views as report_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", dashboard_views.home, name="home"),
    path("tablero/", dashboard_views.tablero, name="tablero"),
    path("plan/", plan_views.home, name="plan"),
    path("planes/", plan_views.plan_list, name="plans"),
    path("plan/libro/", planio_views.plan_workbook_page, name="plan_workbook"),
    path("articulacion/", plan_views.articulation, name="articulation"),
    path(
        "plan/libro/plantilla.xlsx",
        planio_views.plan_workbook_file,
        {"which": "plantilla"},
        name="plan_workbook_template",
    ),
    path(
        "plan/libro/actual.xlsx",
        planio_views.plan_workbook_file,
        {"which": "actual"},
        name="plan_workbook_current",
    ),
    path("cuenta/", views.account, name="account"),
    path("objetivos/<int:number>/", plan_views.objective_detail, name="objective_detail"),
    path("prospectiva/", prospective_views.prospective, name="prospective"),
    path("direcciones/", dashboard_views.directorate_list, name="directorates"),
    path("direcciones/<str:code>/", dashboard_views.directorate_detail, name="directorate_detail"),
    path("reporte/", report_views.report, name="report"),
    path(
        "reporte/<int:year>/xlsx/",
        report_views.report_file,
        {"file_format": "xlsx"},
        name="report_download",
    ),
    path(
        "reporte/<int:year>/pdf/",
        report_views.report_file,
        {"file_format": "pdf"},
        name="report_pdf",
    ),
    path(
        "reporte/<int:year>/conclusiones/",
        report_views.report_conclusions,
        name="report_conclusions",
    ),
    path("", include("indicators.urls")),
    path("", include("actors.urls")),
    # Only login and logout: password reset needs mail to the user and pages of its own, and
    # passwords are set by an administrator (admin, user -> "contraseña").
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    path("publico/", include("pesem.portal.urls")),
    path("admin/", admin.site.urls),
]
