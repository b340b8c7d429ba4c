"""The deployment validator's messages: what is wrong with an uploaded diagram or form, and where.

Each problem names its element (id, and its name when it has one); `detail` is the XML parser's,
jsonschema's, RestrictedPython's or the engine's own text, shown as it is; `reason` is an inner
message (a period that does not parse) rendered in the same language.
"""

from __future__ import annotations

from workflows.messages.catalog_requests import N_

DEPLOYMENT: dict[str, str] = {
    # What the refusal says as a whole.
    "diagram_unreadable": N_("the diagram cannot be read"),
    "diagram_not_executable": N_("the diagram has no executable process"),
    "diagram_invalid": N_("the diagram cannot be deployed"),
    "diagram_file_missing": N_("missing file field 'diagram'"),
    # Reading the XML (workflows.engine.xml).
    "xml_too_large": N_("the document is %(size)s bytes; the limit is %(limit)s"),
    "xml_dtd": N_("DTDs and entities are not allowed: %(detail)s"),
    "xml_encoding_unknown": N_("the declared encoding '%(name)s' is not one we can read; save the diagram as UTF-8"),
    "xml_encoding_invalid": N_("the document is not valid %(encoding)s: byte %(byte)s at %(position)s; "
                               "save the diagram as UTF-8"),
    "xml_too_deep": N_("elements are nested too deeply: more than %(limit)s levels"),
    "xml_namespace_invalid": N_("the namespace URI '%(uri)s' (%(prefix)s) is not a valid URI: a namespace URI may "
                                "not contain spaces or other characters a URI may not hold"),
    "xml_malformed": N_("not well-formed XML: %(detail)s"),
    # The process.
    "id_reserved": N_("the id '%(id)s' is reserved by the engine; rename the element"),
    "pool_process_not_executable": N_("pool %(pool)s shows process %(process)s, which has %(flag)s; "
                                      "set isExecutable=\"true\" on the process to deploy"),
    "process_not_executable": N_("process %(process)s has %(flag)s; set isExecutable=\"true\" on the process to "
                                 "deploy"),
    "no_executable_flag": N_("no isExecutable attribute"),
    "executable_flag": N_("isExecutable=\"%(value)s\""),
    "pool_without_process": N_("pool %(pool)s has no process in this document, so there is no executable process"),
    "collaboration_empty": N_("collaboration %(name)s has no pools and no process, so there is no executable "
                              "process"),
    "no_process": N_("the document contains no process, so there is no executable process"),
    "process_id_invalid": N_("the process id must be letters, digits, '_', '-' or '.'"),
    "engine_parse_failed": N_("the engine cannot parse the diagram: %(detail)s"),
    # Forms.
    "too_many_forms": N_("%(count)s form files; at most %(limit)s are allowed"),
    "form_too_large": N_("form file larger than %(limit)s bytes"),
    "form_schema_invalid": N_("not a valid JSON Schema: %(detail)s"),
    "form_not_json": N_("not a valid JSON Schema: %(reason)s"),
    "form_not_object": N_("a form schema must be a JSON object"),
    "form_not_uploaded": N_("form '%(form)s' was not uploaded with the diagram"),
    "form_unreferenced": N_("form '%(form)s' is not referenced by any task or start event; it is deployed but "
                            "never shown or checked"),
    "start_form_not_uploaded": N_("start form '%(form)s' was not uploaded with the diagram"),
    "start_form_not_object": N_("start form '%(form)s' must describe an object (the start data)"),
    "start_forms_differ": N_("the start events declare different forms; a process has one start form"),
    # Lanes and tasks.
    "lane_without_type": N_("lane '%(lane)s' has no agencyType property and its name is not an agency type code"),
    "lane_type_unknown": N_("lane '%(lane)s': unknown agency type '%(code)s'"),
    "not_a_field_name": N_("%(property)s '%(value)s' is not a data field name"),
    "unknown_lane": N_("%(property)s names unknown lane '%(lane)s'"),
    "recipient_role_invalid": N_("%(property)s entry '%(entry)s': the role after ':' is not a name"),
    "task_without_lane": N_("user task '%(task)s' is not in a lane"),
    "priority_invalid": N_("priority '%(value)s' is not an integer"),
    "deadline_date_combined": N_("deadlineDate names the day the task is due by; it cannot be combined with "
                                 "deadline or deadlineFrom"),
    "prefill_syntax": N_("prefill: '%(text)s' is not 'field = function(arguments)'"),
    "prefill_argument": N_("prefill: an argument must be a data field's name or a text in quotes"),
    "prefill_unknown_function": N_("prefill: unknown function '%(function)s'; offered: %(offered)s"),
    "prefill_arity": N_("prefill: %(function)s() takes %(count)s argument(s)"),
    # Deadlines, escalation, extensions.
    "property_period_invalid": N_("%(property)s: %(reason)s"),
    "period_not_clock": N_("%(property)s '%(value)s' must be in hours or days"),
    "deadline_rules_need_deadline": N_("escalateTo, remindBefore and extension need a deadline"),
    "extension_role_invalid": N_("extensionRole '%(value)s' is not a role name"),
    "max_extensions_invalid": N_("maxExtensions '%(value)s' is not a small integer"),
    "late_extension_invalid": N_("lateExtension '%(value)s' is not true or false"),
    "late_extension_needs_period": N_("lateExtension needs an extension period"),
    "due_timer_misplaced": N_("a 'due_at' timer must be a boundary event on a user task with a deadline"),
    # Statistics declarations.
    "outcome_misplaced": N_("an outcome is declared on end events only"),
    "counted_code_invalid": N_("%(property)s '%(code)s' must be lower-case letters, digits and '_', starting with a "
                               "letter, at most 50"),
    "kpi_needs_deadline": N_("a kpi counts on-time completions: the task needs a deadline"),
    # Conditions and scripts.
    "expression_not_allowed": N_("expression not allowed: %(detail)s"),
    "script_not_allowed": N_("script not allowed: %(detail)s"),
    # Why a condition or script does not compile (workflows.scripting.policy); RestrictedPython's own text
    # and Python's syntax errors are a `detail` as they are.
    "code_import": N_("Line %(line)s: imports are not allowed"),
    "code_class": N_("Line %(line)s: class definitions are not allowed"),
    "code_try": N_("Line %(line)s: try statements are not allowed"),
    "code_with": N_("Line %(line)s: with statements are not allowed"),
    "code_print": N_("Line %(line)s: %(name)s is not available; assign the value to a variable instead"),
    "code_call_denied": N_("Line %(line)s: %(name)s() is not allowed"),
    "code_format_width": N_("Line %(line)s: format widths must be literal and below 100000"),
    "code_too_deep": N_("the code is nested too deeply"),
    "code_not_text": N_("expected text, got %(kind)s"),
}
