"""Backup, restore and upgrade of an appliance: `belfort backup`, `belfort restore`, `belfort migrate`."""

from appliance.backup.manifest import FORMAT_VERSION, latest_schema, read_manifest, schema_version_of
from appliance.backup.restore import finish_restore, restore_files
from appliance.backup.take import take_backup
from appliance.backup.upgrade import migration_plan

__all__ = [
    "FORMAT_VERSION",
    "finish_restore",
    "latest_schema",
    "migration_plan",
    "read_manifest",
    "restore_files",
    "schema_version_of",
    "take_backup",
]
