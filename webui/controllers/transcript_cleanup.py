"""Transcript clean-up towards the meeting's vocabulary, and undoing one change (a revision).

Thin handlers over appliance.recordings.cleanup and transcript_edit.revert_revision; both
redirect back to a page that shows the result (the editor, the segment's history).
"""

from __future__ import annotations

from litestar import post
from litestar.response import Redirect

from appliance import recordings
from appliance.access import Principal
from appliance.context import Appliance
from appliance.ids import Id


@post("/recordings/{recording_id:int}/cleanup", sync_to_thread=True, include_in_schema=False)
def clean_up(appliance: Appliance, who: Principal, recording_id: Id) -> Redirect:
    """Words close to the agenda, names and places are corrected; each change is a revision."""
    recordings.get_visible(appliance, who, recording_id)
    changes = recordings.clean_up_transcript(appliance, who, recording_id)
    return Redirect(f"/recordings/{recording_id}?notice=cleaned", headers={"X-Changes": str(len(changes))}, status_code=303)


@post("/recordings/{recording_id:int}/revisions/{revision_id:int}/revert", sync_to_thread=True,
      include_in_schema=False)
def revert(appliance: Appliance, who: Principal, recording_id: Id, revision_id: Id) -> Redirect:
    seg = recordings.revert_revision(appliance, who, recording_id, revision_id)
    return Redirect(f"/recordings/{recording_id}/segments/{seg.id}/history?notice=reverted", status_code=303)


HANDLERS = [clean_up, revert]
