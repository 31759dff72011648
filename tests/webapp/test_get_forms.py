"""Forms that read the query string answer bad input with the form again: status 422, each
error beside its field, what was typed still in the box."""

import pytest

from tests.helpers import AUTHORITY, COORDINATOR, ENTERPRISE, login, refused_page


@pytest.mark.parametrize(("user", "path", "error_ids", "kept"), [
    pytest.param(AUTHORITY, "/buyers/research?cpv_codes=cleaning&nuts=&value_eur=-5",
                 ["research-cpv_codes-error", "research-value_eur-error"], 'value="cleaning"',
                 id="market research"),
    pytest.param(ENTERPRISE, "/opportunities/?min_value=lots&nuts=Rotterdam!",
                 ["filter-min_value-error", "filter-nuts-error"], 'value="lots"',
                 id="tender filters"),
    pytest.param(COORDINATOR, "/sectors/circular-ict/preview?weight_region=lots&max_group_size=99",
                 ["p-weight_region-error", "p-max_group_size-error"], 'value="lots"',
                 id="grouping preview"),
    # Its fields are lists to choose from: a value not in the list has no box to stay in.
    pytest.param(COORDINATOR, "/audit/?user=99999&action=nonsense",
                 ["f-user-error", "f-action-error"], None, id="audit trail filters"),
])
def test_errors_are_shown_beside_the_field(client, user, path, error_ids, kept):
    login(client, user)
    html = refused_page(client, path)
    for error_id in error_ids:
        assert f'id="{error_id}"' in html
    if kept:
        assert kept in html
