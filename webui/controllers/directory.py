"""Admin console: the directory (LDAP/AD) provider and its last sync, SMB shares and their last
crawl, "who can read this document" and "what can this user read" (issue 13)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from appliance import access, shares
from appliance.access import Principal
from appliance.context import Appliance
from appliance.ids import MAX_ID, Id
from webui.web import page, require_role


@get("/admin/directory", sync_to_thread=True, include_in_schema=False)
def directory_page(request: Request, appliance: Appliance, who: Principal,
                   synced: int = Parameter(default=0, ge=0, le=MAX_ID)) -> Template:
    require_role(who, "admin")
    status = access.provider_status(appliance)
    return page(request, "admin_directory.html", who=who, provider=status, shares=shares.list_shares(appliance),
                synced=synced)


@post("/admin/directory/sync", sync_to_thread=True, include_in_schema=False)
def sync_now(appliance: Appliance, who: Principal) -> Redirect:
    require_role(who, "admin")
    report = access.ldap_sync(appliance)
    return Redirect(f"/admin/directory?synced={report.sync_id}", status_code=303)


@get("/admin/documents/{document_id:int}/readers", sync_to_thread=True, include_in_schema=False)
def document_readers_page(request: Request, appliance: Appliance, who: Principal, document_id: Id) -> Template:
    require_role(who, "admin")
    return page(request, "admin_document_readers.html", who=who,
                view=access.document_readers(appliance, document_id))


@get("/admin/users/{username:str}/reads", sync_to_thread=True, include_in_schema=False)
def user_reads_page(request: Request, appliance: Appliance, who: Principal, username: str) -> Template:
    require_role(who, "admin")
    return page(request, "admin_user_reads.html", who=who, view=access.user_reads(appliance, username[:64]))


@get("/admin/permissions", sync_to_thread=True, include_in_schema=False)
def permissions_lookup(who: Principal, document: int = Parameter(default=0, ge=0, le=MAX_ID),
                       user: str = Parameter(default="", max_length=64)) -> Redirect:
    """The lookup forms of the directory page (GET, works without JS)."""
    require_role(who, "admin")
    if document:
        return Redirect(f"/admin/documents/{document}/readers", status_code=303)
    if user.strip():
        from urllib.parse import quote

        return Redirect(f"/admin/users/{quote(user.strip(), safe='')}/reads", status_code=303)
    return Redirect("/admin/directory", status_code=303)


HANDLERS = [directory_page, sync_now, document_readers_page, user_reads_page, permissions_lookup]
