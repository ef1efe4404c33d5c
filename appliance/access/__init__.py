"""The access feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.access.accounts import (
    ROLES,
    admin_update_user,
    authenticate,
    create_user,
    list_collections,
    list_users,
    principal_by_id,
    readable_collections,
    set_collection_groups,
    update_user,
)
from appliance.access.directory_provider import LdapIdentityProvider, ProviderStatus, provider_status
from appliance.access.directory_sync import SyncReport
from appliance.access.directory_sync import sync as ldap_sync
from appliance.access.explain import DocumentReaders, UserReads, document_readers, user_reads
from appliance.access.oidc import finish as oidc_finish
from appliance.access.oidc import start as oidc_start
from appliance.access.oidc_config import CALLBACK_PATH as OIDC_CALLBACK_PATH
from appliance.access.oidc_config import PRESETS as OIDC_PRESETS
from appliance.access.oidc_config import get_provider as get_oidc_provider
from appliance.access.oidc_config import list_providers as list_oidc_providers
from appliance.access.oidc_config import parse_mapping_lines
from appliance.access.oidc_config import save_provider as save_oidc_provider
from appliance.access.oidc_users import last_sign_ins as oidc_sign_ins
from appliance.access.oidc_users import sweep as sweep_oidc_users
from appliance.access.principals import (
    SYSTEM,
    Principal,
    can_read_collection,
    principal_for,
    readable_collection_ids,
    requester,
    require_ingest,
)
from appliance.access.rate_limits import check_ask, check_pii
from appliance.access.readers import (
    can_read_document,
    clear_document_readers,
    principal_keys,
    read_scope,
    readable_document_ids,
    set_document_readers,
)
from appliance.access.sealing import PREFIX as SEALED_PREFIX
from appliance.access.sealing import is_sealed
from appliance.access.sealing import key_path as secrets_key_path
from appliance.access.sealing import seal as seal_secret
from appliance.access.sealing import unseal as unseal_secret
from appliance.access.sessions import SESSION_HOURS, AdminSignIn, admins_without_second_factor
from appliance.access.sessions import end as end_session
from appliance.access.sessions import principal as session_principal
from appliance.access.sessions import start as start_session
from appliance.access.tokens import SCOPES, create_token, list_tokens, principal_for_token, revoke_token
from appliance.access.totp import RECOVERY_CODES
from appliance.access.totp import begin as totp_begin
from appliance.access.totp import confirm as totp_confirm
from appliance.access.totp import is_enrolled as totp_enrolled
from appliance.access.totp import pending_enrolment as totp_pending_enrolment
from appliance.access.totp import reset as totp_reset
from appliance.access.totp import state_of as second_factor_state
from appliance.access.totp import step_for as second_factor_step
from appliance.access.totp import verify as totp_verify

__all__ = [
    "OIDC_CALLBACK_PATH",
    "OIDC_PRESETS",
    "RECOVERY_CODES",
    "ROLES",
    "SCOPES",
    "SEALED_PREFIX",
    "SESSION_HOURS",
    "SYSTEM",
    "AdminSignIn",
    "DocumentReaders",
    "LdapIdentityProvider",
    "Principal",
    "ProviderStatus",
    "SyncReport",
    "UserReads",
    "admin_update_user",
    "admins_without_second_factor",
    "authenticate",
    "can_read_collection",
    "can_read_document",
    "check_ask",
    "check_pii",
    "clear_document_readers",
    "create_token",
    "create_user",
    "document_readers",
    "end_session",
    "get_oidc_provider",
    "is_sealed",
    "ldap_sync",
    "list_collections",
    "list_oidc_providers",
    "list_tokens",
    "list_users",
    "oidc_finish",
    "oidc_sign_ins",
    "oidc_start",
    "parse_mapping_lines",
    "principal_by_id",
    "principal_for",
    "principal_for_token",
    "principal_keys",
    "provider_status",
    "read_scope",
    "readable_collection_ids",
    "readable_collections",
    "readable_document_ids",
    "requester",
    "require_ingest",
    "revoke_token",
    "save_oidc_provider",
    "seal_secret",
    "second_factor_state",
    "second_factor_step",
    "secrets_key_path",
    "session_principal",
    "set_collection_groups",
    "set_document_readers",
    "start_session",
    "sweep_oidc_users",
    "totp_begin",
    "totp_confirm",
    "totp_enrolled",
    "totp_pending_enrolment",
    "totp_reset",
    "totp_verify",
    "unseal_secret",
    "update_user",
    "user_reads",
]
