from django.urls import path

from actors import views

urlpatterns = [
    path("actores/", views.actor_list, name="actors"),
    # Before <key>: "matriz" and "variable" are not actor keys.
    path("actores/matriz/", views.influence_matrix, name="actor_matrix"),
    path("actores/variable/<str:code>/", views.variable_actors, name="variable_actors"),
    path("actores/<str:key>/", views.actor_detail, name="actor_detail"),
]
