"""The settings of a grouping run: one pydantic model for the form, the API and the service."""

from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from webapp.i18n import validation_message

MAX_GROUP_SIZE = 7  # the programme's rule: working groups of at most seven


class Weights(BaseModel):
    """How much each criterion counts; 0 switches it off."""

    model_config = ConfigDict(extra="forbid")

    interests: float = Field(1.0, ge=0, le=10, description="Shared topics of interest")
    size_mix: float = Field(0.0, ge=0, le=10, description="A mix of large and small buyers")
    region: float = Field(0.0, ge=0, le=10, description="Regional closeness (see region_mode)")


class RunParameters(BaseModel):
    """What a coordinator chooses before generating proposals for a sector."""

    model_config = ConfigDict(extra="forbid")

    max_group_size: int = Field(MAX_GROUP_SIZE, ge=2, le=MAX_GROUP_SIZE)
    min_group_size: int = Field(3, ge=1, le=MAX_GROUP_SIZE)
    n_groups: int | None = Field(None, ge=1, le=200, description="Exactly this many groups")
    max_groups: int | None = Field(None, ge=1, le=200, description="At most this many groups")
    weights: Weights = Field(default_factory=Weights)
    region_mode: Literal["near", "spread"] = "near"
    large_buyers: Literal["off", "soft", "hard"] = Field(
        "off", description="Spread the largest buyers over the groups: off, as a preference "
                           "(soft) or as a rule (hard)")
    no_lone_country: bool = Field(False, description="No member alone from its country")
    random_state: int = Field(0, ge=0, le=2**31 - 1)
    n_alternatives: int = Field(3, ge=1, le=5, description="How many alternative proposals")

    @model_validator(mode="after")
    def _consistent(self):
        if self.min_group_size > self.max_group_size:
            raise PydanticCustomError(
                "value_error", _("The smallest group size must not exceed the largest."),
                {"field": "min_group_size"})
        if self.n_groups and self.max_groups and self.n_groups > self.max_groups:
            raise PydanticCustomError(
                "value_error", _("The number of groups must not exceed the most groups allowed."),
                {"field": "max_groups"})
        return self


# form field name -> path in RunParameters (the form flattens the weights)
FORM_FIELDS = {
    "max_group_size": "max_group_size",
    "min_group_size": "min_group_size",
    "n_groups": "n_groups",
    "max_groups": "max_groups",
    "weight_interests": "weights.interests",
    "weight_size_mix": "weights.size_mix",
    "weight_region": "weights.region",
    "region_mode": "region_mode",
    "large_buyers": "large_buyers",
    "no_lone_country": "no_lone_country",
    "random_state": "random_state",
    "n_alternatives": "n_alternatives",
}
_PATH_TO_FIELD = {path: name for name, path in FORM_FIELDS.items()}


class InvalidParameters(ValueError):
    """The settings cannot be used; `errors` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_form(form) -> RunParameters:
    """Read the propose form (a MultiDict of strings); empty fields take their defaults."""
    data: dict = {"weights": {}}
    for name, path in FORM_FIELDS.items():
        if name == "no_lone_country":
            data[name] = form.get(name) in ("on", "1", "true", "yes")
            continue
        value = (form.get(name) or "").strip()
        if value == "":
            continue
        if path.startswith("weights."):
            data["weights"][path.split(".", 1)[1]] = value
        else:
            data[path] = value
    try:
        return RunParameters.model_validate(data)
    except ValidationError as error:
        raise InvalidParameters(form_errors(error)) from None


def form_errors(error: ValidationError) -> dict[str, str]:
    """pydantic errors keyed by the form's field names (model-wide errors on the field named)."""
    errors: dict[str, str] = {}
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"])
        message = validation_message(item)
        if not path:
            field = "max_groups" if item.get("ctx", {}).get("field") == "max_groups" else (
                "min_group_size")
        else:
            field = _PATH_TO_FIELD.get(path, path)
        errors.setdefault(field, message)
    return errors


def as_form(parameters: RunParameters) -> dict[str, str]:
    """The form's values for `parameters` (to fill the form again)."""
    values = {}
    for name, path in FORM_FIELDS.items():
        value = parameters
        for part in path.split("."):
            value = getattr(value, part)
        values[name] = "" if value is None else (("on" if value else "") if isinstance(
            value, bool) else f"{value:g}" if isinstance(value, float) else str(value))
    return values


POOL_KEY = "engine_pool"  # beside the settings: the application ids the engine grouped


def stored(parameters_json: dict | None) -> RunParameters:
    """The settings stored on a Proposal (without the pool kept beside them)."""
    data = {k: v for k, v in (parameters_json or {}).items() if k != POOL_KEY}
    return RunParameters.model_validate(data)
