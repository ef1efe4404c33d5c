"""SMB shares as sources. Public surface for the CLI, jobs and the admin console."""

from appliance.shares.crawl import CrawlReport, crawl_all, crawl_share
from appliance.shares.store import ShareInfo, add_share, get_share, list_shares

__all__ = ["CrawlReport", "ShareInfo", "add_share", "crawl_all", "crawl_share", "get_share", "list_shares"]
