"""Who may see and change what: every role against every page and API endpoint.

The matrix cannot go stale: `test_every_rule_is_classified` enumerates `app.url_map` and fails
for any rule (endpoint and method) without an entry here, and for entries whose rule is gone.
A new endpoint therefore needs a line below saying what each role gets.

Roles act as people do: pages with a session cookie (forms carry the CSRF token), `/api/`
with a bearer token. URL parameters are real ids from the fixtures, chosen per case as the
caller's own objects or someone else's. Writes run on a fresh copy of the arranged database,
so the order of requests cannot change an answer.

Outcomes: OK (200), DONE (a write that succeeded: 2xx or a redirect that is not to the login),
ALLOWED (the request reached the service: a validation or conflict answer counts, but not
401/403/404/5xx), LOGIN (redirect to the login page), 401, 403, 404 (where existence itself
must not leak), or any other exact status.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from flask import url_for
from sqlmodel import Session, select

from models import (
    Application,
    Authority,
    Enterprise,
    Group,
    Membership,
    Sector,
    Tender,
    TenderStatus,
    User,
)
from tests.helpers import (
    AUTHORITY,
    COORDINATOR,
    COORDINATOR2,
    ENTERPRISE,
    csrf_token,
    login,
)
from tests.webapp.groupings.test_members import (
    AUTHORITY2,
    ENTERPRISE2,
    arrange_proposals,
)
from webapp import create_app
from webapp.accounts import create_token
from webapp.db import ENGINE_KEY
from webapp.groupings.services import runs as groupings
from webapp.groupings.services.parameters import RunParameters

ROLES = ("anonymous", "coordinator", "coordinator2", "authority", "authority2", "enterprise",
         "enterprise2")
EMAILS = {"coordinator": COORDINATOR, "coordinator2": COORDINATOR2, "authority": AUTHORITY,
          "authority2": AUTHORITY2, "enterprise": ENTERPRISE, "enterprise2": ENTERPRISE2}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

OK, DONE, LOGIN = "ok", "done", "login"
ALLOWED = "allowed"  # reaches the service: any answer but 401, 403, 404, a login redirect, 5xx


@dataclass(frozen=True)
class Case:
    """One request shape (URL values, body) and what each role gets for it."""

    expect: dict[str, str | int]
    values: dict[str, str] = field(default_factory=dict)  # URL parameter -> World attribute
    query: str = ""
    form: dict | None = None  # pages: sent as a form with the CSRF token
    json: dict | Callable | None = None  # API: sent as JSON (a callable gets the World)
    hidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> World attributes
    # whose values must not be in the role's 200 body (private fields of others)
    note: str = ""
    xfail: str = ""  # last resort: a known violation, reported, kept visible


def page(default=403, anonymous=LOGIN, **roles) -> dict:
    """Expectations for a page: anonymous goes to the login, other roles get `default`."""
    return {"anonymous": anonymous, **{r: default for r in ROLES[1:]}, **roles}


def api(default=403, anonymous=401, **roles) -> dict:
    """Expectations for an API endpoint: anonymous gets 401, other roles `default`."""
    return {"anonymous": anonymous, **{r: default for r in ROLES[1:]}, **roles}


def everyone(outcome=OK) -> dict:
    return dict.fromkeys(ROLES, outcome)


COORDINATORS_OK = {"coordinator": OK, "coordinator2": OK}
AUTHORITIES_OK = {"authority": OK, "authority2": OK}
LOGGED_IN_OK = {r: OK for r in ROLES[1:]}

# (endpoint, method) -> cases. Keep it sorted by blueprint.
MATRIX: dict[tuple[str, str], list[Case]] = {
    # --- shell ----------------------------------------------------------------------------
    ("static", "GET"): [Case(everyone(), {"filename": "=app.css"})],
    ("home.index", "GET"): [Case(everyone())],
    ("home.healthz", "GET"): [Case(everyone())],
    ("auth.login", "GET"): [Case(everyone())],
    ("auth.login", "POST"): [Case(everyone(422), form={}, note="empty form: invalid for all")],
    ("auth.logout", "POST"): [Case(everyone(DONE), form={})],
    ("auth.change_password", "GET"): [Case(page(**LOGGED_IN_OK))],
    ("auth.change_password", "POST"): [Case(page(422, anonymous=LOGIN), form={})],
    ("auth.account", "GET"): [Case(page(**LOGGED_IN_OK))],
    ("auth.account", "POST"): [Case(page(422, anonymous=LOGIN), form={},
                                    note="no language or time zone: invalid for all")],
    ("i18n.switch_language", "POST"): [Case(everyone(DONE), form={"locale": "nl"},
                                            note="anyone may choose a language")],
    ("accounts.signup", "GET"): [Case(page(302, anonymous=OK),
                                       note="logged-in users go home")],
    ("accounts.signup", "POST"): [Case(page(302, anonymous=422), form={})],
    ("accounts.confirm", "GET"): [Case(everyone(404), {"token": "=not-a-token"})],
    ("accounts.forgot", "GET"): [Case(everyone())],
    ("accounts.forgot", "POST"): [Case(everyone(422), form={})],
    ("accounts.reset", "GET"): [Case(everyone(410), {"token": "=not-a-token"})],
    ("accounts.reset", "POST"): [Case(everyone(410), {"token": "=not-a-token"}, form={})],
    ("accounts.pending", "GET"): [Case(page(**COORDINATORS_OK))],
    ("accounts.approve", "POST"): [
        Case(page(coordinator=404, coordinator2=404), {"user_id": "=999999"}, form={}),
    ],
    ("auth.create_token", "POST"): [
        Case(page(201, anonymous=LOGIN), form={"name": "matrix", "days": "30"}),
        Case(page(422, anonymous=LOGIN), form={"days": "0"}, note="days out of range"),
    ],
    ("auth.revoke_token", "POST"): [
        Case(page(404, anonymous=LOGIN, enterprise=DONE), {"token_id": "enterprise_token_id"},
             form={}, note="one's own token only; another's is not found"),
        Case(page(404, anonymous=LOGIN), {"token_id": "=999999"}, form={}),
    ],
    ("api.me", "GET"): [Case(api(**LOGGED_IN_OK))],
    ("api.openapi", "GET"): [Case(everyone())],
    # --- authorities review their groups (partners) ------------------------------------------
    ("groupings.members.index", "GET"): [Case(page(**AUTHORITIES_OK))],
    ("groupings.members.show", "GET"): [
        Case(page(authority=OK, authority2=404), {"group_id": "my_group_id"},
             hidden={"authority": ("partner_spend",)}, note="partners' public profile only"),
        Case(page(authority=404, authority2=OK), {"group_id": "their_group_id"}),
        Case(page(authority=404, authority2=404), {"group_id": "draft_group_id"},
             note="a draft is never visible to authorities, even to its members"),
        Case(page(authority=404, authority2=404), {"group_id": "=999999"}),
    ],
    ("groupings.members.answer", "GET"): [
        Case(page(authority=303, authority2=303), {"group_id": "my_group_id"},
             note="the address of a failed answer: back to the group's page (404 there)"),
    ],
    ("groupings.members.answer", "POST"): [
        Case(page(authority=DONE, authority2=404), {"group_id": "my_group_id"},
             form={"answer": "accepted"}),
        Case(page(authority=404, authority2=404), {"group_id": "draft_group_id"},
             form={"answer": "accepted"}),
    ],
    ("groupings.members.create_wish", "POST"): [
        Case(page(authority=DONE, authority2=404), {"application_id": "my_application_id"},
             form={"kind": "apart", "other_authority_id": "{outsider_id}"}),
    ],
    ("groupings.members.withdraw_wish", "POST"): [
        Case(page(authority=404, authority2=DONE), {"wish_id": "wish_id"}, form={}),
    ],
    ("groupings.members.open_sectors", "GET"): [Case(page(**AUTHORITIES_OK))],
    ("groupings.members.create_application", "GET"): [
        Case(page(**AUTHORITIES_OK), {"slug": "open_sector_slug"},
             note="a sector neither authority applied to"),
        Case(page(authority=303, authority2=303), {"slug": "sector_slug"},
             note="both applied already: back to the list, which says why"),
        Case(page(authority=404, authority2=404), {"slug": "=no-such-sector"}),
    ],
    ("groupings.members.create_application", "POST"): [
        Case(page(authority=ALLOWED, authority2=ALLOWED), {"slug": "open_sector_slug"},
             form={}, note="no topic ticked: the form again (422)"),
    ],
    ("groupings.members.update_application", "GET"): [
        Case(page(authority=OK, authority2=404), {"application_id": "my_application_id"}),
        Case(page(authority=404, authority2=OK), {"application_id": "their_application_id"}),
    ],
    ("groupings.members.update_application", "POST"): [
        Case(page(authority=409, authority2=404), {"application_id": "my_application_id"},
             form={"topics": "x"}, note="in a published group: locked"),
    ],
    ("groupings.members.withdraw_application", "GET"): [
        Case(page(authority=OK, authority2=404), {"application_id": "my_application_id"}),
    ],
    ("groupings.members.withdraw_application", "POST"): [
        Case(page(authority=DONE, authority2=404), {"application_id": "my_application_id"},
             form={}),
        Case(page(authority=404, authority2=404), {"application_id": "=999999"}, form={}),
    ],
    ("api.partner_applications", "GET"): [Case(api(**AUTHORITIES_OK))],
    ("api.partner_application_create", "POST"): [
        Case(api(authority=ALLOWED, authority2=ALLOWED), json={},
             note="an empty body: 422 per field"),
    ],
    ("api.partner_application_update", "PATCH"): [
        Case(api(authority=409, authority2=404), {"application_id": "my_application_id"},
             json={"motivation": "x"}, note="in a published group: locked"),
    ],
    ("api.partner_application_withdraw", "POST"): [
        Case(api(authority=OK, authority2=404), {"application_id": "my_application_id"}),
    ],
    ("api.partner_group", "GET"): [
        Case(api(authority=OK, authority2=404), {"group_id": "my_group_id"},
             hidden={"authority": ("partner_spend",)}),
        Case(api(authority=404, authority2=404), {"group_id": "draft_group_id"}),
    ],
    ("api.partner_answer", "POST"): [
        Case(api(authority=OK, authority2=404), {"group_id": "my_group_id"},
             json={"answer": "accepted"}),
        Case(api(authority=404, authority2=404), {"group_id": "draft_group_id"},
             json={"answer": "accepted"}),
    ],
    ("api.partner_wishes", "GET"): [Case(api(**AUTHORITIES_OK))],
    ("api.partner_wish_create", "POST"): [
        Case(api(authority=201, authority2=404),
             json=lambda w: {"application_id": w.my_application_id,
                             "other_authority_id": w.outsider_id, "kind": "together"}),
    ],
    ("api.partner_wish_delete", "DELETE"): [
        Case(api(authority=404, authority2=204), {"wish_id": "wish_id"}),
    ],
    # --- enterprises: their profile and matches, public tenders (opportunities) ------------
    ("tenders.enterprise.index", "GET"): [Case(page(enterprise=OK, enterprise2=OK))],
    ("tenders.enterprise.saved", "GET"): [Case(page(enterprise=OK, enterprise2=OK))],
    ("tenders.enterprise.tender", "GET"): [
        Case(page(enterprise=OK, enterprise2=OK), {"tender_id": "open_tender_id"}),
        Case(page(enterprise=404, enterprise2=404), {"tender_id": "=999999"}),
    ],
    ("tenders.enterprise.feedback", "POST"): [
        Case(page(enterprise=DONE, enterprise2=DONE), {"tender_id": "open_tender_id"},
             form={"action": "saved"}),
        Case(page(enterprise=404, enterprise2=404), {"tender_id": "=999999"},
             form={"action": "saved"}),
    ],
    ("tenders.enterprise.profile", "GET"): [
        Case(page(enterprise=OK, enterprise2=OK),
             hidden={"enterprise": ("enterprise2_turnover",),
                     "enterprise2": ("enterprise_turnover",)},
             note="each enterprise sees its own profile, never another's private fields"),
    ],
    ("tenders.enterprise.profile", "POST"): [
        Case(page(enterprise=422, enterprise2=422), form={}, note="an empty form is invalid"),
    ],
    ("tenders.enterprise.cpv_options", "GET"): [
        Case(page(enterprise=OK, enterprise2=OK), query="cpv_q=cleaning"),
    ],
    ("api.enterprise_create", "POST"): [
        Case(api(enterprise=422, enterprise2=422, coordinator=422, coordinator2=422), json={},
             note="allowed roles reach validation; an empty profile is invalid"),
    ],
    ("api.enterprise_show", "GET"): [
        Case(api(**LOGGED_IN_OK), {"enterprise_id": "enterprise2_id"},
             hidden={r: ("enterprise2_turnover",)
                     for r in ("enterprise", "authority", "authority2")},
             note="public fields for all; the full record for its own users and coordinators"),
        Case(api(**{r: 404 for r in ROLES[1:]}), {"enterprise_id": "=999999"}),
    ],
    ("api.enterprise_update", "PATCH"): [
        Case(api(enterprise=OK, enterprise2=404), {"enterprise_id": "enterprise_id"},
             json={"description": "Updated by the permission matrix."}),
    ],
    ("api.enterprise_update", "PUT"): [
        Case(api(enterprise=404, enterprise2=422), {"enterprise_id": "enterprise2_id"},
             json={}, note="the owner reaches validation; anyone else gets 404"),
    ],
    ("api.enterprise_matches", "GET"): [
        Case(api(enterprise=OK, enterprise2=404, **COORDINATORS_OK),
             {"enterprise_id": "enterprise_id"}),
    ],
    ("api.tender_list", "GET"): [Case(api(**LOGGED_IN_OK))],
    ("api.tender_show", "GET"): [
        Case(api(**LOGGED_IN_OK), {"tender_id": "open_tender_id"}),
        Case(api(**{r: 404 for r in ROLES[1:]}), {"tender_id": "=999999"}),
    ],
    # --- authorities: their tenders and the social enterprises that could bid (buyers) -----
    ("tenders.buyer.tenders", "GET"): [Case(page(**AUTHORITIES_OK))],
    ("tenders.buyer.tender", "GET"): [
        Case(page(authority=OK, authority2=404), {"tender_id": "own_tender_id"}),
        Case(page(authority=404, authority2=404), {"tender_id": "other_tender_id"}),
    ],
    ("api.tender_candidates", "GET"): [
        Case(api(authority=OK, authority2=404, **COORDINATORS_OK),
             {"tender_id": "own_tender_id"}),
        Case(api(authority=404, authority2=404, **COORDINATORS_OK),
             {"tender_id": "other_tender_id"}),
    ],
    ("api.market_research", "POST"): [
        Case(api(**AUTHORITIES_OK, **COORDINATORS_OK), json={"cpv_codes": ["90910000"]}),
    ],
    ("api.import_ocds", "POST"): [
        Case(api(**AUTHORITIES_OK, **COORDINATORS_OK), json={"releases": []}),
    ],
    # Without an XML body the import answers 422: what is checked here is who gets that far.
    ("api.import_eforms", "POST"): [
        Case(api(authority=ALLOWED, authority2=ALLOWED, coordinator=ALLOWED,
                 coordinator2=ALLOWED), json={}),
    ],
    ("tenders.buyer.research", "GET"): [
        Case(page(**AUTHORITIES_OK)),
        Case(page(**AUTHORITIES_OK), query="cpv_codes=90910000"),
    ],
    # --- coordinators: answers, wishes, audit trail ----------------------------------------
    ("groupings.coordinator.answers", "GET"): [
        Case(page(**COORDINATORS_OK), {"slug": "sector_slug"}),
        Case(page(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"}),
    ],
    ("groupings.coordinator.accept_wish", "POST"): [
        Case(page(coordinator=DONE, coordinator2=DONE),
             {"slug": "sector_slug", "wish_id": "wish_id"}, form={}),
        Case(page(coordinator=DONE, coordinator2=404),
             {"slug": "other_sector_slug", "wish_id": "other_sector_wish_id"}, form={}),
        Case(page(coordinator=404, coordinator2=404),
             {"slug": "sector_slug", "wish_id": "other_sector_wish_id"}, form={},
             note="a wish id from another sector under a coordinated slug"),
    ],
    ("groupings.coordinator.reject_wish", "POST"): [
        Case(page(coordinator=DONE, coordinator2=DONE),
             {"slug": "sector_slug", "wish_id": "wish_id"}, form={}),
        Case(page(coordinator=DONE, coordinator2=404),
             {"slug": "other_sector_slug", "wish_id": "other_sector_wish_id"}, form={}),
    ],
    ("audit.index", "GET"): [
        Case(page(**COORDINATORS_OK)),
        Case(page(coordinator=OK, coordinator2=422), query="sector={other_sector_id}",
             note="filtering by a sector one does not coordinate is refused"),
    ],
    ("audit.export", "GET"): [
        Case(page(**COORDINATORS_OK)),
        Case(page(coordinator=OK, coordinator2=422), query="sector={other_sector_id}",
             note="filtering by a sector one does not coordinate is refused"),
    ],
    ("api.partner_review", "GET"): [
        Case(api(**COORDINATORS_OK), {"slug": "sector_slug"}),
        Case(api(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"}),
    ],
    ("api.partner_wish_accept", "POST"): [
        Case(api(coordinator=OK, coordinator2=404),
             {"slug": "other_sector_slug", "wish_id": "other_sector_wish_id"}),
    ],
    ("api.partner_wish_reject", "POST"): [
        Case(api(coordinator=204, coordinator2=204),
             {"slug": "sector_slug", "wish_id": "wish_id"}),
    ],
    # --- coordinators: sectors, proposals, groupings (pages and API) ------------------------
    ("groupings.coordinator.index", "GET"): [Case(page(**COORDINATORS_OK))],
    ("groupings.coordinator.show", "GET"): [
        Case(page(**COORDINATORS_OK), {"slug": "sector_slug"}),
        Case(page(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"}),
    ],
    ("groupings.coordinator.preview", "GET"): [
        Case(page(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"},
             query="n_alternatives=1"),
    ],
    ("groupings.coordinator.generate", "POST"): [
        Case(page(coordinator=DONE, coordinator2=404), {"slug": "other_sector_slug"},
             form={"n_alternatives": "1"}),
    ],
    ("groupings.coordinator.proposal", "GET"): [
        Case(page(**COORDINATORS_OK), {"slug": "sector_slug", "proposal_id": "gen_proposal_id"}),
        Case(page(coordinator=OK, coordinator2=404),
             {"slug": "other_sector_slug", "proposal_id": "gen_other_proposal_id"}),
        Case(page(coordinator=404, coordinator2=404),
             {"slug": "sector_slug", "proposal_id": "gen_other_proposal_id"},
             note="a proposal id under another sector's slug"),
    ],
    ("groupings.coordinator.compare", "GET"): [
        Case(page(coordinator=OK, coordinator2=404),
             {"slug": "other_sector_slug", "proposal_id": "gen_other_proposal_id"}),
    ],
    ("groupings.coordinator.export", "GET"): [
        Case(page(coordinator=OK, coordinator2=404),
             {"slug": "other_sector_slug", "proposal_id": "gen_other_proposal_id",
              "fmt": "=csv"}),
    ],
    ("groupings.coordinator.import_applications", "GET"): [
        Case(page(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"}),
    ],
    ("groupings.coordinator.import_template", "GET"): [
        Case(page(coordinator=OK, coordinator2=404), {"slug": "other_sector_slug"}),
    ],
    ("groupings.coordinator.import_applications", "POST"): [
        Case(page(coordinator=422, coordinator2=404), {"slug": "other_sector_slug"}, form={},
             note="no file: invalid, for the coordinator of the sector only"),
    ],
}
for _step in ("move", "lock", "undo", "approve", "publish"):
    MATRIX[(f"groupings.coordinator.{_step}", "POST")] = [
        Case(page(coordinator=ALLOWED, coordinator2=404),
             {"slug": "other_sector_slug", "proposal_id": "gen_other_proposal_id"},
             form={"version": "{gen_other_proposal_version}",
                   "application_id": "{gen_other_application_id}", "target": "waitlist"}),
        Case(page(coordinator=404, coordinator2=404),
             {"slug": "sector_slug", "proposal_id": "gen_other_proposal_id"},
             form={"version": "{gen_other_proposal_version}"}),
    ]
_OTHER_PROPOSAL = {"slug": "other_sector_slug", "proposal_id": "gen_other_proposal_id"}
MATRIX.update({
    ("api.grouping_run", "POST"): [
        Case(api(**dict.fromkeys(ROLES[1:], ALLOWED)), json={"applicants": []},
             note="a stateless calculator for any token; nothing is stored"),
    ],
    ("api.grouping_sectors", "GET"): [Case(api(**COORDINATORS_OK))],
    ("api.grouping_generate", "POST"): [
        Case(api(coordinator=201, coordinator2=404), {"slug": "other_sector_slug"},
             json={"n_alternatives": 1}),
    ],
    ("api.grouping_proposal", "GET"): [
        Case(api(**COORDINATORS_OK), {"slug": "sector_slug", "proposal_id": "gen_proposal_id"}),
        Case(api(coordinator=OK, coordinator2=404), _OTHER_PROPOSAL),
        Case(api(coordinator=404, coordinator2=404),
             {"slug": "sector_slug", "proposal_id": "gen_other_proposal_id"}),
    ],
    ("api.grouping_move", "POST"): [
        Case(api(coordinator=ALLOWED, coordinator2=404), _OTHER_PROPOSAL,
             json=lambda w: {"version": w.gen_other_proposal_version,
                             "application_id": w.gen_other_application_id,
                             "target": "waitlist"}),
    ],
    ("api.grouping_lock", "POST"): [
        Case(api(coordinator=ALLOWED, coordinator2=404), _OTHER_PROPOSAL,
             json=lambda w: {"version": w.gen_other_proposal_version,
                             "application_id": w.gen_other_application_id}),
    ],
    ("api.grouping_step", "POST"): [
        Case(api(coordinator=ALLOWED, coordinator2=404), {**_OTHER_PROPOSAL, "step": f"={step}"},
             json=lambda w: {"version": w.gen_other_proposal_version})
        for step in ("undo", "approve", "publish")
    ],
    ("api.grouping_export", "GET"): [
        Case(api(coordinator=OK, coordinator2=404), {**_OTHER_PROPOSAL, "fmt": "=xlsx"}),
    ],
})


# --- alerts: preferences, saved searches, feeds, unsubscribe, outbox, calls for interest -------
_ENTERPRISES_OK = {"enterprise": OK, "enterprise2": OK}
MATRIX.update({
    ("alerts.preferences", "GET"): [Case(page(**LOGGED_IN_OK))],
    ("alerts.preferences", "POST"): [
        Case(page(default=DONE, anonymous=LOGIN), form={"locale": "en"}),
        Case(page(default=422, anonymous=LOGIN), form={"locale": "xx"}),
    ],
    ("alerts.enterprise.searches", "GET"): [Case(page(**_ENTERPRISES_OK))],
    ("alerts.enterprise.create_search", "POST"): [
        Case(page(enterprise=DONE, enterprise2=DONE), form={"name": "Matrix", "region": "NL"}),
    ],
    ("alerts.enterprise.edit_search", "GET"): [
        Case(page(enterprise=OK, enterprise2=404), {"search_id": "search_id"}),
    ],
    ("alerts.enterprise.edit_search", "POST"): [
        Case(page(enterprise=DONE, enterprise2=404), {"search_id": "search_id"},
             form={"name": "Renamed", "frequency": "weekly"}),
    ],
    ("alerts.enterprise.delete_search", "POST"): [
        Case(page(enterprise=DONE, enterprise2=404), {"search_id": "search_id"}, form={}),
    ],
    ("alerts.enterprise.renew_feed", "POST"): [
        Case(page(enterprise=DONE, enterprise2=404), {"search_id": "search_id"}, form={}),
    ],
    ("alerts.public.feed", "GET"): [
        Case(everyone(), {"token": "feed_token"}, note="the private token is the key"),
        Case(everyone(404), {"token": "=not-a-token"}),
    ],
    ("alerts.public.unsubscribe", "GET"): [
        Case(everyone(), {"token": "unsubscribe_token"}),
        Case(everyone(404), {"token": "=forged.token"}),
    ],
    ("alerts.public.unsubscribe", "POST"): [
        Case(everyone(DONE), {"token": "unsubscribe_token"}, form={},
             note="RFC 8058 one-click: no session, no CSRF; the signed token says who"),
        Case(everyone(404), {"token": "=forged.token"}, form={}),
    ],
    ("alerts.coordinator.outbox", "GET"): [Case(page(**COORDINATORS_OK))],
    ("alerts.coordinator.message", "GET"): [
        Case(page(**COORDINATORS_OK), {"message_id": "outbox_id"}),
        Case(page(coordinator=404, coordinator2=404), {"message_id": "=999999"}),
    ],
    ("alerts.coordinator.resend", "POST"): [
        Case(page(coordinator=DONE, coordinator2=DONE), {"message_id": "outbox_id"}, form={}),
    ],
    ("alerts.calls.index", "GET"): [Case(page(**AUTHORITIES_OK))],
    ("alerts.calls.new", "GET"): [Case(page(**AUTHORITIES_OK), query="cpv_codes=90911200")],
    ("alerts.calls.create", "POST"): [
        Case(page(authority=422, authority2=422), form={}, note="no purchase: invalid"),
    ],
    ("alerts.calls.show", "GET"): [
        Case(page(authority=OK, authority2=404), {"call_id": "call_id"}),
    ],
    ("alerts.calls.received", "GET"): [Case(page(**_ENTERPRISES_OK))],
    ("alerts.calls.received_show", "GET"): [
        Case(page(enterprise=OK, enterprise2=404), {"call_id": "call_id"},
             note="only the enterprises the call went to"),
    ],
    ("alerts.calls.answer", "POST"): [
        Case(page(enterprise=DONE, enterprise2=404), {"call_id": "call_id"},
             form={"answer": "interested", "message": "From the matrix."}),
    ],
    ("api.saved_search_list", "GET"): [Case(api(**_ENTERPRISES_OK))],
    ("api.saved_search_create", "POST"): [
        Case(api(enterprise=201, enterprise2=201), json={"name": "Matrix"}),
    ],
    ("api.saved_search_update", "PATCH"): [
        Case(api(enterprise=OK, enterprise2=404), {"search_id": "search_id"},
             json={"name": "Renamed"}),
    ],
    ("api.saved_search_delete", "DELETE"): [
        Case(api(enterprise=204, enterprise2=404), {"search_id": "search_id"}),
    ],
})


# --- the world the matrix runs in -------------------------------------------------------------

class World(SimpleNamespace):
    """The app, the arranged ids, a logged-in client and a token per role."""


def _checkpoint(app) -> None:
    """Fold SQLite's write-ahead log into the file and close every connection."""
    engine = app.extensions[ENGINE_KEY]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture(scope="module")
def world(seeded_db_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    db_file = folder / "app.sqlite"
    shutil.copy(seeded_db_file, db_file)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "test-secret"})
    engine = app.extensions[ENGINE_KEY]
    with Session(engine, expire_on_commit=False) as db:
        arranged = arrange_proposals(db)
        tokens, token_ids = {}, {}
        for role, email in EMAILS.items():
            user = db.exec(select(User).where(User.email == email)).one()
            token, row = create_token(db, user)
            tokens[role] = {"Authorization": f"Bearer {token}"}
            token_ids[f"{role}_token_id"] = row.id
        me = db.exec(select(User).where(User.email == ENTERPRISE)).one()
        them = db.exec(select(User).where(User.email == ENTERPRISE2)).one()
        partner_spend = db.get(Authority, arranged.partner_id).procurement_spend_eur
        own_tender = db.exec(select(Tender.id).where(
            Tender.authority_id == arranged.authority_id).order_by(Tender.id)).first()
        other_tender = db.exec(select(Tender.id).where(
            Tender.authority_id.not_in([arranged.authority_id, arranged.authority2_id])
        ).order_by(Tender.id)).first()
        open_tender = db.exec(select(Tender.id).where(Tender.status == TenderStatus.OPEN)
                              .order_by(Tender.id)).first()
        enterprise_turnover = db.get(Enterprise, me.enterprise_id).turnover_eur
        generated = _generate(db, arranged)
        enterprise_id, enterprise2_id = me.enterprise_id, them.enterprise_id
        enterprise2 = db.get(Enterprise, enterprise2_id)
        enterprise2_turnover = enterprise2.turnover_eur
        alerts = _alerts_world(app, db, arranged, me)
        applied = set(db.exec(select(Application.sector_id).where(
            Application.authority_id.in_([arranged.authority_id, arranged.authority2_id]))))
        open_sector = db.exec(select(Sector.slug).where(Sector.id.not_in(applied))
                              .order_by(Sector.slug)).first()
    clients = {"anonymous": app.test_client()}
    for role, email in EMAILS.items():
        clients[role] = app.test_client()
        assert login(clients[role], email).status_code == 302, role
    csrf = {role: csrf_token(client) for role, client in clients.items()}
    _checkpoint(app)
    pristine = folder / "pristine.sqlite"
    shutil.copy(db_file, pristine)
    world = World(
        app=app, db_file=db_file, pristine=pristine, clients=clients, tokens=tokens, csrf=csrf,
        own_tender_id=own_tender, other_tender_id=other_tender, open_tender_id=open_tender,
        enterprise_turnover=enterprise_turnover, enterprise_id=enterprise_id,
        partner_spend=partner_spend, **generated,
        enterprise2_id=enterprise2_id, enterprise2_turnover=enterprise2_turnover,
        other_sector_id=_sector_id(app, arranged), open_sector_slug=open_sector,
        **token_ids, **alerts,
        **vars(arranged),
    )
    yield world
    engine.dispose()


def _generate(db: Session, arranged) -> dict:
    """Real draft proposals from the groupings service, in both sectors."""
    coordinator = db.exec(select(User).where(User.email == COORDINATOR)).one()
    shared = groupings.generate(db, coordinator, arranged.sector_slug,
                                RunParameters(n_alternatives=1))
    other = groupings.generate(db, coordinator, arranged.other_sector_slug,
                               RunParameters(n_alternatives=1))
    member = db.exec(select(Membership.application_id).join(Group).where(
        Group.proposal_id == other.id).order_by(Membership.id)).first()
    return {"gen_proposal_id": shared.id, "gen_other_proposal_id": other.id,
            "gen_other_proposal_version": other.version, "gen_other_application_id": member}


def _alerts_world(app, db: Session, arranged, me: User) -> dict:
    """The enterprise's saved search, a call for interest it received, one outbox message."""
    from models import CallForInterest, CallRecipient
    from webapp.alerts.services import searches
    from webapp.alerts.services.outbox import Draft, enqueue
    from webapp.alerts.services.preferences import unsubscribe_token

    search = searches.create_search(db, me, searches.SavedSearchIn(name="Matrix search"))
    call = CallForInterest(authority_id=arranged.authority_id, title="Matrix call")
    db.add(call)
    db.flush()
    db.add(CallRecipient(call_id=call.id, enterprise_id=me.enterprise_id, score=0.5))
    message = enqueue(db, Draft(to_address=me.email, subject="Matrix mail", body_text="Hello",
                                body_html="<p>Hello</p>", kind="notice",
                                message_id="<matrix@example.org>", user_id=me.id))
    db.commit()
    with app.app_context():
        token = unsubscribe_token(me.id, "digests")
    return {"search_id": search.id, "feed_token": search.feed_token, "call_id": call.id,
            "outbox_id": message.id, "unsubscribe_token": token}


def _sector_id(app, arranged) -> int:
    with Session(app.extensions[ENGINE_KEY]) as db:
        return db.exec(select(Sector.id).where(Sector.slug == arranged.other_sector_slug)).one()


def _restore(world: World) -> None:
    """Put the arranged database back, so a write cannot influence the next request."""
    world.app.extensions[ENGINE_KEY].dispose()
    for suffix in ("-wal", "-shm"):
        world.db_file.with_name(world.db_file.name + suffix).unlink(missing_ok=True)
    shutil.copy(world.pristine, world.db_file)


def _fill(template: str, world: World) -> str:
    return template.format(**vars(world))


def _url(world: World, endpoint: str, case: Case) -> str:
    values = {
        name: (source[1:] if source.startswith("=") else getattr(world, source))
        for name, source in case.values.items()
    }
    with world.app.test_request_context():
        url = url_for(endpoint, **values)
    return url + ("?" + _fill(case.query, world) if case.query else "")


def _request(world: World, role: str, method: str, url: str, case: Case):
    client = world.clients[role]
    if method != "GET":  # a throw-away client with the same session: a logout stays local
        session = client.get_cookie("session")
        client = world.app.test_client()
        if session is not None:
            client.set_cookie("session", session.value)
    if url.startswith("/api/"):
        headers = world.tokens.get(role, {})
        body = case.json(world) if callable(case.json) else case.json
        return client.open(url, method=method, headers=headers, json=body)
    data = None
    if method != "GET":
        data = {"csrf_token": world.csrf[role],
                **{k: _fill(v, world) for k, v in (case.form or {}).items()}}
    return client.open(url, method=method, data=data)


def _outcome_matches(response, expected) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status in (301, 302, 303) and "/login" in location
    if expected == OK:
        return status == 200
    if expected == LOGIN:
        return to_login
    if expected == DONE:
        return 200 <= status < 400 and not to_login
    if expected == ALLOWED:
        return status < 500 and status not in (401, 403, 404) and not to_login
    return status == expected


def _leaks(world: World, response, hidden: tuple[str, ...]) -> list[str]:
    """The hidden attributes whose value (as written, or with thousands separators) shows."""
    if not hidden:
        return []
    body = response.get_data(as_text=True)
    leaked = []
    for name in hidden:
        value = getattr(world, name)
        if value is None:
            continue
        forms = {str(value)} | ({f"{value:,}", f"{value:,}".replace(",", ".")}
                                if isinstance(value, int) else set())
        if any(form in body for form in forms):
            leaked.append(name)
    return leaked


def _describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def _params():
    for (endpoint, method), cases in sorted(MATRIX.items()):
        for index, case in enumerate(cases):
            marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
            yield pytest.param(endpoint, method, case, id=f"{method} {endpoint} #{index}",
                               marks=marks)


# --- the tests --------------------------------------------------------------------------------

def test_every_rule_is_classified(world):
    """Every route of the app has an entry, and every entry still has its route."""
    rules = {
        (rule.endpoint, method)
        for rule in world.app.url_map.iter_rules()
        for method in rule.methods & set(METHODS)
    }
    missing = sorted(rules - MATRIX.keys())
    stale = sorted(MATRIX.keys() - rules)
    assert not missing, f"classify these routes in tests/test_permissions_matrix.py: {missing}"
    assert not stale, f"these matrix entries have no route any more: {stale}"


def test_every_case_names_every_role():
    for key, cases in MATRIX.items():
        for case in cases:
            assert set(case.expect) == set(ROLES), key


@pytest.mark.parametrize(("endpoint", "method", "case"), list(_params()))
def test_role_gets_what_the_rules_allow(world, endpoint, method, case):
    url = _url(world, endpoint, case)
    wrong = {}
    for role in ROLES:
        if method != "GET":
            _restore(world)
        response = _request(world, role, method, url, case)
        expected = case.expect[role]
        if not _outcome_matches(response, expected):
            wrong[role] = f"expected {expected}, got {_describe(response)}"
        elif response.status_code == 200:
            leaked = _leaks(world, response, case.hidden.get(role, ()))
            if leaked:
                wrong[role] = f"the answer shows {leaked}"
        response.close()  # a static file's answer holds the file open until closed
    if method != "GET":
        _restore(world)
    assert wrong == {}, f"{method} {url}: {wrong}"
