"""Admin page: the audit trail's hash chain recomputed (the same walk as `flask audit-verify`)."""

from __future__ import annotations

from flask import render_template, request

from app.extensions import db
from app.web.blueprint import admin_bp
from app.web.security import roles_required
from workflows.audit.chain import current_head
from workflows.audit.verification import verify_chain

RECENT_EVENTS = 10_000  # checked by default: well under a second
WHOLE_CHAIN_SECONDS = 10.0  # "the whole chain" stops here and says how far it came; the CLI has no limit


@admin_bp.route("/audit")
@roles_required("admin")
def verify_audit_chain() -> str:
    """Recompute the latest events' hashes, or the whole chain's within a time limit (?scope=all)."""
    whole = request.args.get("scope") == "all"
    head = current_head(db.session.connection())
    after = 0 if whole or head is None else max(0, head.seq - RECENT_EVENTS)
    # Between batches the read transaction ends: on SQLite it would hold every writer meanwhile.
    report = verify_chain(db.session, after=after, seconds=WHOLE_CHAIN_SECONDS if whole else None,
                          pause=db.session.commit)
    return render_template("admin/audit.html", report=report, whole=whole, recent=RECENT_EVENTS,
                           seconds=WHOLE_CHAIN_SECONDS)
