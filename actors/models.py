"""Actors of Anexo 3 and their influence on the strategic variables."""

from django.db import models

from objectives.models import StrategicVariable


class Actor(models.Model):
    """A state group (a ministry with its agencies), one of its member entities, or a
    non-state actor. Keys follow the annex: E2 is state group 2, E2.3 its third entity,
    NE81 the 81st non-state actor."""

    class Kind(models.TextChoices):
        STATE = "state", "estatal"
        NON_STATE = "non_state", "no estatal"

    key = models.CharField("clave", max_length=12, unique=True)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField("número", null=True, blank=True)
    order = models.PositiveSmallIntegerField("orden", default=0)
    name = models.CharField("nombre", max_length=255)
    acronym = models.CharField("siglas", max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="grupo",
    )

    class Meta:
        verbose_name = "actor"
        verbose_name_plural = "actores"
        ordering = ["kind", "order"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.STATE and self.parent_id is None


class ActorInfluence(models.Model):
    """One mention in the influence matrix: an actor that influences a variable
    (on_variable) or an actor the variable influences (from_variable)."""

    class Direction(models.TextChoices):
        ON_VARIABLE = "on_variable", "influye sobre la variable"
        FROM_VARIABLE = "from_variable", "la variable influye sobre el actor"

    variable = models.ForeignKey(
        StrategicVariable,
        on_delete=models.CASCADE,
        related_name="actor_influences",
        verbose_name="variable estratégica",
    )
    direction = models.CharField("sentido", max_length=14, choices=Direction.choices)
    order = models.PositiveSmallIntegerField("orden")
    text = models.TextField("mención tal como se publicó")
    actor = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="influences",
        verbose_name="actor",
        help_text="Vacío cuando la mención no figura en las listas de actores.",
    )

    class Meta:
        verbose_name = "influencia actor-variable"
        verbose_name_plural = "matriz de influencia actor-variable"
        ordering = ["variable__number", "direction", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["variable", "direction", "order"], name="unique_influence_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.variable.code} {self.get_direction_display()}: {self.text[:60]}"
