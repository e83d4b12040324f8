from django.urls import path

from indicators import views
from indicators.entry import grid_views, semester_views
from indicators.workflow import calendar_views, inbox_views, plan_views, target_views

urlpatterns = [
    path("indicadores/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("indicadores/<str:code>/<int:year>/registrar/", views.value_entry, name="value_entry"),
    path("indicadores/<str:code>/metas/", views.target_propose, name="target_edit"),
    path("metas/revisiones/", target_views.target_revisions, name="target_revisions"),
    path("plan/versiones/", plan_views.plan_versions, name="plan_versions"),
    path("valores/<int:pk>/<str:action>/", views.value_transition, name="value_transition"),
    path("acciones/<str:code>/<int:year>/reporte/", views.report_entry, name="report_entry"),
    path("reportes/<int:pk>/<str:action>/", views.report_transition, name="report_transition"),
    path("pendientes/", views.pending, name="pending"),
    path("mis-tareas/", inbox_views.my_tasks, name="my_tasks"),
    path("inicio/", inbox_views.landing, name="landing"),
    path("direcciones/<str:code>/<int:year>/registro/", grid_views.grid, name="grid"),
    path(
        "direcciones/<str:code>/<int:year>-S<int:semester>/registro/",
        semester_views.semester_grid,
        name="semester_grid",
    ),
    path(
        "direcciones/<str:code>/<int:year>/registro/retirar/<int:pk>/",
        grid_views.grid_withdraw,
        name="grid_withdraw",
    ),
    path("registro/vista-previa/", grid_views.grid_preview, name="grid_preview"),
    path("validacion/", views.validation_queue, name="validation_queue"),
    path("calendario/", calendar_views.calendar, name="calendar"),
    path("importar/", views.import_upload, name="import_upload"),
    path("importar/confirmar/", views.import_confirm, name="import_confirm"),
    path("importar/plantilla/<int:year>/", views.import_template, name="import_template"),
    path("evidencia/<str:kind>/<int:pk>/", views.evidence, name="evidence"),
]
