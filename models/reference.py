"""Official reference lists (CPV 2008, NUTS 2021), loaded from the published files."""

from sqlmodel import Field, SQLModel


class CpvCode(SQLModel, table=True):
    """One code of the Common Procurement Vocabulary, stored by its 8 digits."""

    code: str = Field(primary_key=True, max_length=8)
    check_digit: str = Field(default="", max_length=1)
    label: str


class NutsRegion(SQLModel, table=True):
    """A NUTS 2021 region (or an ISO country without NUTS)."""

    code: str = Field(primary_key=True, max_length=5)
    name: str
