"""Messages of the services: why a request was refused, and the field errors behind it.

Parameters named `role`, `status`, `agency_type`, `types`, `period`, `after`/`latest` are shown by
kind on the pages (a role's label, a status word, agency types by name, a period in words, a time
in local time); see app/web/messages.py.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the name Babel and gettext users know
    """Mark a template for Babel's extraction; it stays English here."""
    return text


REQUESTS: dict[str, str] = {
    # Signing in.
    "login_required": N_("log in or send a valid bearer token"),
    "role_required": N_("this needs the role '%(role)s'"),
    # Work items.
    "work_item_not_found": N_("work item %(id)s not found"),
    "work_item_other_agency": N_("this work item belongs to another agency"),
    "work_item_needs_role": N_("this work item needs the role '%(role)s'"),
    "work_item_status": N_("work item %(id)s is %(status)s"),
    "work_item_held": N_("work item %(id)s is %(status)s by %(holder)s"),
    "work_item_not_claimed": N_("work item %(id)s is %(status)s, not claimed"),
    "claim_before_completing": N_("claim the work item before completing it"),
    "claim_before_drafting": N_("claim the work item before saving a draft"),
    "reminder_not_supervising": N_("only an agency supervising this work item sends it a reminder"),
    "reminder_sent_today": N_("a reminder for this work item was already sent today; the next one may be sent "
                              "from %(day)s"),
    "release_not_allowed": N_("only the assignee or a leader releases a claimed item"),
    "reassign_leader_only": N_("only a leader reassigns work items"),
    "assignee_not_of_agency": N_("the assignee must be an active user of the item's agency"),
    "assignee_lacks_role": N_("the assignee lacks the role '%(role)s'"),
    "unknown_assignee": N_("unknown assignee"),
    "form_has_errors": N_("the form has errors"),
    "task_not_waiting": N_("the task is no longer waiting for this work item"),
    "instance_changed": N_("the instance changed meanwhile; reload and try again"),
    "instance_not_running": N_("the instance is %(status)s"),
    "instance_stopped_because": N_("the instance is %(status)s: %(reason)s"),
    # Starting and viewing cases.
    "start_agency_types": N_("only agencies of type %(types)s start this process"),
    "no_start_form": N_("this process takes no start data: its start event declares no form"),
    "start_data_errors": N_("the start data has errors"),
    "process_not_deployed": N_("no process '%(key)s' is deployed"),
    "process_version_not_found": N_("no process '%(key)s' version %(version)s"),
    "instance_not_found": N_("process instance %(id)s not found"),
    "instance_other_agency": N_("your agency does not take part in this instance"),
    "case_number_taken": N_("case number '%(number)s' is already used by case %(case)s of this process"),
    "notice_not_found": N_("notice %(id)s not found"),
    "diagram_field_missing": N_("upload the diagram as the multipart field 'diagram'"),
    # Deadline extensions.
    "extension_other_agency": N_("only the agency holding the work item extends its deadline"),
    "extension_needs_role": N_("recording an extension needs the role '%(role)s'"),
    "extension_not_allowed": N_("the process allows no extension of this task's deadline"),
    "extension_count_reached": N_("the deadline was already extended %(count)s time(s), the most allowed"),
    "extension_too_late": N_("the deadline has passed: this process allows no extension after the due time"),
    "extension_reason_missing": N_("give the reason for the extension"),
    "due_time_naive": N_("the new due time needs a time zone"),
    "due_time_out_of_range": N_("the new due time must be after %(after)s and at most %(latest)s "
                                "(%(period)s more)"),
    # Resuming a case in error.
    "resume_admin_only": N_("only an admin resumes an instance in error"),
    "instance_not_in_error": N_("the instance is %(status)s, not in error"),
    # Attachments.
    "file_too_large": N_("the file %(name)s is larger than %(limit)s bytes (%(mb)s MB)"),
    "attachment_not_found": N_("attachment %(sha256)s not found"),
    "attachment_not_in_case": N_("attachment %(sha256)s not found in case %(case)s"),
    "attachment_damaged": N_("the stored file no longer matches its checksum"),
    "start_files_not_uploaded": N_("the start data names files that were not uploaded for it"),
    "form_files_not_uploaded": N_("the form names files that were not uploaded in this case"),
    # Lists, dashboard, statistics.
    "dashboard_forbidden": N_("the dashboard is for supervisors, admins and leaders"),
    "paging_cursor_invalid": N_("the paging cursor is not one this list gave"),
    "value_refused": N_("a value in the request is out of range or not storable"),
    "text_has_nul": N_("text may not contain the NUL character"),
    # JSON from outside (workflows.strict_json); `detail` is the json module's own text.
    "json_constant": N_("%(name)s is not a JSON number; send a finite number or null"),
    "json_number_too_large": N_("the number %(text)s is too large for a JSON number"),
    "json_not_utf8": N_("the body is not UTF-8 (byte %(byte)s at %(at)s)"),
    "json_too_deep": N_("lists and objects are nested deeper than the limit of %(limit)s"),
    "json_nul": N_("text may not contain the NUL character (\\u0000)"),
    "json_invalid": N_("syntax error: %(detail)s"),
    "field_without_name": N_("a field of the request has no name"),
    "number_out_of_range": N_("%(name)s must be a whole number from %(low)s to %(high)s"),
    "statistics_forbidden": N_("statistics are for supervisors, leaders and admins"),
    "statistics_no_agency": N_("no agency '%(code)s'"),
    "statistics_outside_scope": N_("these figures are outside the agencies you may see"),
    "period_unknown": N_("unknown period"),
    # Directory, accounts, calendar.
    "directory_admin_only": N_("only an admin changes agencies, agency types and users"),
    "agency_type_exists": N_("agency type '%(code)s' exists"),
    "agency_invalid": N_("the agency cannot be created"),
    "agency_exists": N_("agency '%(code)s' exists"),
    "user_invalid": N_("the user cannot be created"),
    "user_exists": N_("user '%(name)s' exists"),
    "user_not_found": N_("user %(id)s not found"),
    "cannot_deactivate_self": N_("an admin cannot deactivate their own account"),
    "reset_own_password": N_("an admin changes their own password with the current one, not by a reset"),
    "current_password_wrong": N_("the current password is wrong"),
    "password_not_changed": N_("the password was not changed"),
    "password_not_reset": N_("the password was not reset"),
    "wrong_credentials": N_("wrong username or password"),
    "holidays_admin_only": N_("only an admin changes the holiday calendar"),
    "year_out_of_range": N_("the year is out of range"),
    "date_invalid": N_("enter a valid date"),
    # Field errors (an InvalidDataError's details).
    "field_not_start_field": N_("not a start field of this process"),
    "field_not_active_user": N_("not an active user of this agency"),
    "field_lacks_role": N_("lacks the role '%(role)s'"),
    "field_no_such_user": N_("no such user"),
    "field_extension_before_due": N_("an extension is recorded before the due time"),
    "field_length": N_("%(low)s to %(high)s characters"),
    "field_add_offset": N_("add an offset"),
    "field_outside_extension": N_("outside the extension the process allows"),
    "field_larger_than": N_("larger than %(limit)s bytes (%(mb)s MB)"),
    "field_file_not_in_case": N_("not a file uploaded in this case"),
    "field_file_not_yours": N_("not a file you uploaded for this form"),
    "field_cursor_invalid": N_("invalid cursor %(cursor)s"),
    "field_unknown_agency_type": N_("unknown agency type '%(code)s'"),
    "field_one_of": N_("must be one of %(options)s"),
    "field_unknown_agency": N_("unknown agency '%(code)s'"),
    "field_password_short": N_("at least %(count)s characters"),
    "field_password_long": N_("at most %(count)s characters"),
    "field_password_common": N_("too common: it is on the list of the most used passwords"),
    "field_password_has_user_name": N_("must not contain the user name"),
    "field_password_has_agency_code": N_("must not contain the agency code"),
    "field_password_wrong": N_("wrong password"),
    "field_password_same": N_("must differ from the current password"),
    "field_year_between": N_("between %(low)s and %(high)s"),
    "field_period_spec": N_("'%(spec)s' is not a year (2026), half-year (2026-H1), quarter (2026-Q3) or month "
                            "(2026-05)"),
    "field_no_month": N_("'%(spec)s': there is no month %(month)s"),
    "field_days_between": N_("days from %(low)s to %(high)s only"),
    "field_last_before_first": N_("the last day is before the first"),
    "field_range_too_long": N_("a range covers at most %(days)s days"),
    "field_nested_too_deep": N_("lists and objects are nested deeper than the limit of %(limit)s"),
    "field_agency_not_offered": N_("'%(value)s' is not one of the agencies this field offers"),
    "field_invalid_date": N_("not a date: %(value)s"),
}
