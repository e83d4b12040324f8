from django.contrib import admin
from django.urls import include, path

from pesem import dashboard_views, prospective_views, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", dashboard_views.tablero, name="home"),
    path("plan/", views.home, name="plan"),
    path("cuenta/", views.account, name="account"),
    path("objetivos/<int:number>/", views.objective_detail, name="objective_detail"),
    path("prospectiva/", prospective_views.prospective, name="prospective"),
    path("direcciones/", dashboard_views.directorate_list, name="directorates"),
    path("direcciones/<str:code>/", dashboard_views.directorate_detail, name="directorate_detail"),
    path("reporte/", dashboard_views.report, name="report"),
    path("reporte/<int:year>/xlsx/", dashboard_views.report_download, name="report_download"),
    path("", include("indicators.urls")),
    path("", include("actors.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
