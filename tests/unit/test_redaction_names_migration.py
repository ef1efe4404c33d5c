"""Migration 25: redaction reviews made before issue 18 get the columns that say how names were found."""

from __future__ import annotations

from sqlalchemy import inspect

from appliance.context import Appliance
from appliance.db.engine import migrate


def test_migration_25_adds_the_name_columns_to_an_older_database(appliance: Appliance) -> None:
    with appliance.db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE redactionreview DROP COLUMN names_by")
        conn.exec_driver_sql("ALTER TABLE redactionreview DROP COLUMN names_confirmed_by")
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version >= 25")
    assert migrate(appliance.db) >= 25
    with appliance.db.begin() as conn:
        cols = {c["name"]: str(c["default"]).split("::")[0] for c in inspect(conn).get_columns("redactionreview")}
    assert cols["names_by"] == cols["names_confirmed_by"] == "''"  # older reviews: how names were found is unknown
