"""Coordinators' use cases for sector working groups (everything except the engine).

Every function takes the session first and the acting user second; reads return plain
dataclasses ready to display, writes record an audit event and commit. A sector the user does
not coordinate raises `UnknownSector` like a missing one (404), so slugs cannot be probed.

- pool: `coordinated_sectors`, `sector_for`, `sector_page`
- runs: `preview` (nothing saved), `generate` (one Proposal per alternative, one run_key)
- edits of a draft, each carrying the version it saw: `move`, `set_locked`, `undo`;
  then `approve` (frozen) and `publish` (visible to the authorities)
- reading: `proposal_page`, `proposal_view`, `comparison`; files: `export_csv`,
  `export_xlsx`, `import_applications`
- stateless: `group_applicants` groups applicants sent as JSON, touching no table

The engine (`matcher.groupings`) is reached only through `adapter`.
"""

from webapp.groupings.services.adapter import group_applicants
from webapp.groupings.services.editing import approve, move, publish, set_locked, undo
from webapp.groupings.services.errors import (
    GroupingError,
    GroupingInfeasible,
    InvalidChange,
    NotEditable,
    StaleProposal,
    UnknownProposal,
    UnknownSector,
)
from webapp.groupings.services.explanations import member_reasons
from webapp.groupings.services.exports import export_csv, export_xlsx
from webapp.groupings.services.importing import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    InvalidImportFile,
    import_applications,
    template_csv,
)
from webapp.groupings.services.parameters import (
    InvalidParameters,
    RunParameters,
    Weights,
    as_form,
    parse_form,
)
from webapp.groupings.services.parameters import stored as stored_parameters
from webapp.groupings.services.pool import ApplicantCard, coordinated_sectors, sector_for
from webapp.groupings.services.runs import generate, preview
from webapp.groupings.services.store import load
from webapp.groupings.services.views import (
    alternative_ids,
    comparison,
    proposal_page,
    proposal_record,
    proposal_view,
    sector_page,
)

IMPORT_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

__all__ = [
    "IMPORT_COLUMNS", "ApplicantCard", "GroupingError", "GroupingInfeasible", "InvalidChange",
    "InvalidImportFile", "InvalidParameters", "NotEditable", "RunParameters", "StaleProposal",
    "UnknownProposal", "UnknownSector", "Weights", "alternative_ids", "approve", "as_form",
    "comparison",
    "coordinated_sectors", "export_csv", "export_xlsx", "generate", "group_applicants",
    "import_applications", "load", "member_reasons", "move", "parse_form", "preview",
    "proposal_page", "proposal_record", "proposal_view", "publish", "sector_for", "sector_page",
    "set_locked", "stored_parameters", "template_csv", "undo",
]
