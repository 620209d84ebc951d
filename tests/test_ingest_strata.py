"""SITE from the REDCap data access group, STRATUM from randomisation.csv."""

from __future__ import annotations

import pandas as pd
import pytest

from plmsc.ingest.errors import InputError
from plmsc.ingest.strata import derive_var_site, derive_var_stratum

ADSL = pd.DataFrame({"USUBJID": pd.Series(["P-1", "P-2", "P-3"], dtype="str")})


def _rc(groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"record_id": ["P-1", "P-1", "P-2", "P-3"], "redcap_data_access_group": groups}
    )


def test_site_is_the_data_access_group_of_the_record():
    out = derive_var_site(ADSL, _rc(["north", "north", "south", "north"]), "export.csv")
    assert out["SITE"].tolist() == ["north", "south", "north"]


def test_site_is_empty_without_the_column():
    out = derive_var_site(ADSL, _rc(["a"] * 4).drop(columns="redcap_data_access_group"), "x")
    assert out["SITE"].isna().all()


@pytest.mark.parametrize("groups", [["north", "south", "south", "north"], ["north", "", "s", "n"]])
def test_a_record_with_two_or_no_groups_is_an_error(groups):
    with pytest.raises(InputError, match="record P-1") as info:
        derive_var_site(ADSL, _rc(groups), "export.csv")
    assert "redcap_data_access_group" in str(info.value)


def test_stratum_comes_from_the_randomisation_list():
    rand = pd.DataFrame({"record_id": ["P-1", "P-2", "P-3"], "stratum": ["A", "B", "A"]})
    assert derive_var_stratum(ADSL, rand, "r.csv")["STRATUM"].tolist() == ["A", "B", "A"]
    assert derive_var_stratum(ADSL, rand.drop(columns="stratum"), "r")["STRATUM"].isna().all()
    assert derive_var_stratum(ADSL, None, "r")["STRATUM"].isna().all()
    with pytest.raises(InputError, match="a stratum for every listed record"):
        derive_var_stratum(ADSL, rand.assign(stratum=["A", " ", "A"]), "r.csv")
