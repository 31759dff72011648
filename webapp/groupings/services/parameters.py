"""The settings of a grouping run: one pydantic model for the form, the API and the service."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from webapp.errors import Invalid, field_messages

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

    # Rules across fields sit on the later field, so the message lands beside it.
    @field_validator("min_group_size")
    @classmethod
    def _min_not_above_max(cls, value: int, info: ValidationInfo) -> int:
        maximum = info.data.get("max_group_size")
        if maximum is not None and value > maximum:
            raise ValueError(f"must not exceed the largest group size ({maximum})")
        return value

    @field_validator("max_groups")
    @classmethod
    def _n_groups_within_max(cls, value: int | None, info: ValidationInfo) -> int | None:
        n_groups = info.data.get("n_groups")
        if value and n_groups and n_groups > value:
            raise ValueError(f"must not be below the number of groups asked for ({n_groups})")
        return value


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


class InvalidParameters(Invalid):
    """The settings cannot be used; `errors` maps form field names to messages."""


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
    return field_messages(error, default_field="min_group_size", fields=_PATH_TO_FIELD)


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
