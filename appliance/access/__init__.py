"""The access feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.access.accounts import (
    ROLES,
    admin_update_user,
    authenticate,
    create_user,
    list_collections,
    list_users,
    readable_collections,
    set_collection_groups,
    update_user,
)
from appliance.access.directory_provider import LdapIdentityProvider, ProviderStatus, provider_status
from appliance.access.directory_sync import SyncReport
from appliance.access.directory_sync import sync as ldap_sync
from appliance.access.explain import DocumentReaders, UserReads, document_readers, user_reads
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
from appliance.access.sessions import SESSION_HOURS
from appliance.access.sessions import end as end_session
from appliance.access.sessions import principal as session_principal
from appliance.access.sessions import start as start_session
from appliance.access.tokens import SCOPES, create_token, list_tokens, principal_for_token, revoke_token

__all__ = [
    "ROLES",
    "SCOPES",
    "SESSION_HOURS",
    "SYSTEM",
    "DocumentReaders",
    "LdapIdentityProvider",
    "Principal",
    "ProviderStatus",
    "SyncReport",
    "UserReads",
    "admin_update_user",
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
    "ldap_sync",
    "list_collections",
    "list_tokens",
    "list_users",
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
    "session_principal",
    "set_collection_groups",
    "set_document_readers",
    "start_session",
    "update_user",
    "user_reads",
]
