"""The public portal and its open data, under /publico/ (pesem.portal.views)."""

from django.urls import path

from pesem.portal import views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("objetivos/<int:number>/", views.objective, name="portal_objective"),
    path("indicadores/<str:code>/", views.indicator, name="portal_indicator"),
    path("reportes/", views.reports, name="portal_reports"),
    path("reportes/<int:year>.xlsx", views.report_xlsx, name="portal_report_xlsx"),
    path("reportes/<int:year>.pdf", views.report_pdf, name="portal_report_pdf"),
    path("datos/", views.data, name="portal_data"),
    path("datos/datapackage.json", views.datapackage, name="portal_datapackage"),
    path("datos/plan.xlsx", views.plan_xlsx, name="portal_plan_xlsx"),
    path("datos/plan.json", views.plan_json, name="portal_plan_json"),
    path("datos/indicadores/<str:code>.csv", views.indicator_csv, name="portal_indicator_csv"),
    path("datos/indicadores/<str:code>.xlsx", views.indicator_xlsx, name="portal_indicator_xlsx"),
    path("datos/<slug:name>.csv", views.resource_csv, name="portal_resource_csv"),
]
