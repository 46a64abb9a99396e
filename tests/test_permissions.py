"""units.permissions: who sees and changes which units (the one module every page asks)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from units.permissions import (
    Roles,
    changeable_units,
    grant_area,
    grant_provider,
    grant_units,
    is_read_only,
    may_import,
    unit_for_user,
    visible_areas,
    visible_units,
)

from . import factories as f
from .helpers import user_in

pytestmark = pytest.mark.django_db


def test_region_wide_roles_see_every_unit_and_only_koncernstab_changes_them():
    units = {f.CareUnitFactory(), f.CareUnitFactory()}
    for role in Roles.REGION_WIDE:
        assert set(visible_units(user_in(role))) == units
    assert set(changeable_units(user_in(Roles.KONCERNSTAB))) == units
    assert not changeable_units(user_in(Roles.HS_STYRNING)).exists()
    assert not changeable_units(user_in(Roles.LEDNING)).exists()
    assert is_read_only(user_in(Roles.LEDNING)) and not is_read_only(user_in(Roles.HS_STYRNING))


def test_a_unit_manager_sees_granted_units_and_a_granted_areas_units_now_and_later():
    mine, other = f.CareUnitFactory(), f.CareUnitFactory()
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [mine])
    area = f.VardomradeFactory(name="Primärvård Malmö")
    grant_area(manager, area)
    later = f.CareUnitFactory(vardomrade=area)
    assert set(visible_units(manager)) == {mine, later}
    assert set(changeable_units(manager)) == {mine, later}
    assert list(visible_areas(manager).order_by("name")) == sorted(
        {mine.vardomrade, area}, key=lambda a: a.name
    )
    assert other not in visible_units(manager)


def test_a_providers_user_sees_the_units_a_later_import_creates(write_file):
    from .helpers import UNITS_HEADER, manage, unit_line

    provider = f.ProviderFactory(name="Capio Vårdcentral AB")
    f.CareUnitFactory(provider=provider)
    user = user_in(Roles.VARDGIVARE)
    grant_provider(user, provider)
    path = write_file(UNITS_HEADER + unit_line(hsa="SE5565000001-NY1", provider="Capio Vårdcentral AB"))
    assert manage("import_data", "units", path).code == 0
    assert "SE5565000001-NY1" in set(visible_units(user).values_list("hsa_id", flat=True))


def test_rights_through_a_group_count_too():
    unit = f.CareUnitFactory()
    team = f.GroupFactory(name="Enhetschefer Malmö")
    from guardian.shortcuts import assign_perm

    assign_perm("units.view_careunit", team, unit)
    user = user_in(Roles.VERKSAMHETSCHEF)
    user.groups.add(team)
    assert list(visible_units(user)) == [unit]
    assert not changeable_units(user).exists()


def test_unit_for_user_answers_404_for_outsiders_and_403_for_a_change_they_may_not_make():
    unit = f.CareUnitFactory()
    outsider = user_in(Roles.VERKSAMHETSCHEF)
    with pytest.raises(Http404):
        unit_for_user(outsider, unit.hsa_id)
    with pytest.raises(Http404):
        unit_for_user(outsider, unit.hsa_id, change=True)
    with pytest.raises(PermissionDenied):
        unit_for_user(user_in(Roles.LEDNING), unit.hsa_id, change=True)
    assert unit_for_user(user_in(Roles.LEDNING), unit.hsa_id) == unit
    assert unit_for_user(user_in(Roles.KONCERNSTAB), unit.hsa_id, change=True) == unit


def test_imports_are_for_koncernstab_and_styrning():
    assert may_import(user_in(Roles.KONCERNSTAB)) and may_import(user_in(Roles.HS_STYRNING))
    for role in (Roles.LEDNING, Roles.VERKSAMHETSCHEF, Roles.VARDGIVARE):
        assert not may_import(user_in(role))


def test_visible_units_for_a_manager_is_one_query(django_assert_num_queries):
    manager = user_in(Roles.VERKSAMHETSCHEF)
    grant_units(manager, [f.CareUnitFactory() for _ in range(3)])
    manager = type(manager).objects.get(pk=manager.pk)
    # 1: the user's roles; 2: the units (grants as subqueries, whatever their number)
    with django_assert_num_queries(2):
        assert len(list(visible_units(manager))) == 3


def test_the_demo_users_see_what_their_roles_should(settings):
    from django.contrib.auth import get_user_model

    from .helpers import manage

    settings.DEBUG = True
    assert manage("seed_demo", "--units", "90", "--cases", "200", "--today", "2026-11-21").code == 0
    users = {u.username: u for u in get_user_model().objects.all()}
    manager_units = list(visible_units(users["enhetschef"]))
    assert 5 <= len(manager_units) <= 10
    assert {u.vardomrade.name for u in manager_units} == {"Primärvård Malmö"}
    assert all(u.provider_id is None and u.name.startswith("Vårdcentralen ") for u in manager_units)
    provider_units = list(visible_units(users["vardgivare"]))
    assert provider_units and len({u.provider_id for u in provider_units}) == 1
    assert None not in {u.provider_id for u in provider_units}
    for name in ("koncernstab", "styrning", "ledning"):
        assert visible_units(users[name]).count() == 90
