"""A domain event's id is the RFC 4122 name-based UUID (version 5) of "<parcours id>:<version>":
partners deduplicate by it, so it must never change."""
from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from ambition.outbox import DOMAIN_NS, domain_event_id


def test_a_known_id_never_changes():
    # the id the platform gave version 3 of this parcours (the standard library's uuid5)
    assert domain_event_id("d03757b4-899a-5650-b7e2-007b0bb074d7", 3) == "c0d8df93-8352-5056-b3f5-9b25ffc6f34e"
    assert domain_event_id(uuid.UUID("d03757b4-899a-5650-b7e2-007b0bb074d7"), 3) \
        == "c0d8df93-8352-5056-b3f5-9b25ffc6f34e"


@given(st.uuids(), st.integers(min_value=1, max_value=10 ** 9))
def test_the_id_is_the_standard_uuid5(parcours_id, version):
    assert domain_event_id(parcours_id, version) == str(uuid.uuid5(DOMAIN_NS, f"{parcours_id}:{version}"))
