"""Why a case stopped in error: the engine's, the lanes' and the deadlines' reasons.

`detail` is a library's or an exception's own text, shown as it is; `agency_type`, `actual_type`
and `period` are shown by name on the pages.
"""

from __future__ import annotations

from workflows.messages.catalog_requests import N_

ENGINE: dict[str, str] = {
    "failure": N_("%(kind)s: %(detail)s"),
    "step_failed": N_("at '%(element)s': %(kind)s: %(detail)s"),
    "script_stopped": N_("at '%(element)s': %(reason)s"),
    # Why code of a diagram was stopped (workflows.scripting): numbers come written with their separators.
    "script_too_many_elements": N_("%(what)s would have %(size)s elements; the limit is %(limit)s"),
    "script_number_too_large": N_("%(what)s would be a number of about %(bits)s bits; the limit is %(limit)s"),
    "script_operand_too_large": N_("%(what)s on a number of %(bits)s bits; the limit is %(limit)s"),
    "script_pow_too_long": N_("%(function)s with a modulus would take %(work)s bit steps; the limit is "
                                "%(limit)s"),
    "script_format_width": N_("%(what)s widths must be literal and below %(limit)s"),
    "script_round_digits": N_("%(function)s takes at most %(limit)s digits"),
    "script_repetition": N_("repetition"),
    "script_concatenation": N_("concatenation"),
    "script_timeout": N_("stopped after running longer than %(seconds)s s"),
    "script_timeout_uninterruptible": N_("stopped after running longer than %(seconds)s s (in an operation the "
                                         "step-by-step limit cannot interrupt)"),
    "script_step_budget": N_("the conditions and scripts of one step ran longer than %(seconds)s s in total"),
    "script_reply_too_large": N_("the value is %(size)s bytes; the limit is %(limit)s"),
    "script_out_of_memory": N_("ran out of memory: the limit is %(mb)s MB"),
    "script_cpu_limit": N_("stopped by the CPU time limit"),
    "script_process_signal": N_("the script process ended on signal %(signal)s"),
    "script_process_exit": N_("the script process ended with status %(status)s"),
    "script_process_gone": N_("the script process was gone: %(detail)s"),
    "timer_failed": N_("timer processing failed: %(kind)s: %(detail)s"),
    "timer_expression_failed": N_("at '%(element)s': timer expression '%(expression)s': %(detail)s"),
    "cardinality_too_large": N_("at '%(element)s': loopCardinality is %(value)s; the limit is %(limit)s instances"),
    "data_not_storable": N_("the task data cannot be stored: %(reason)s (the field '%(field)s' was left out)"),
    "data_not_storable_at": N_("at '%(element)s': the task data cannot be stored: %(reason)s "
                               "(the field '%(field)s' was left out)"),
    "loop_without_waiting": N_("loop ran without waiting at '%(element)s': %(levels)s levels in one step; "
                               "a loop must wait for a user task, a timer or a message"),
    "task_tree_too_deep": N_("task tree too deep at '%(element)s' (depth %(depth)s) although compacted: "
                             "the case keeps more open branches than the engine can follow"),
    # What task data may hold (workflows.scripting.storable); `path` is where in the data.
    "data_too_many_values": N_("%(path)s: the data has more than the limit of %(limit)s values"),
    "data_too_much_text": N_("%(path)s: the data has more than the limit of %(limit)s characters of text"),
    "data_number_too_big": N_("%(path)s: the number does not fit in 64 bits"),
    "data_not_finite": N_("%(path)s: %(value)s is not a number that can be stored"),
    "data_type": N_("%(path)s: a value of type %(kind)s cannot be stored; task data holds text, numbers, "
                    "true/false, null, dates, decimals, and lists and objects (with text keys) of these"),
    "data_too_deep": N_("%(path)s: lists and objects are nested deeper than the limit of %(limit)s"),
    "data_key_not_text": N_("%(path)s: the key %(key)s is not text; object keys must be text"),
    "prefill_failed": N_("at '%(element)s': prefill %(field)s = %(function)s(): %(reason)s"),
    # Lanes (workflows.directory.assignment).
    "lane_agency_unknown": N_("lane %(lane)s: field '%(field)s' names unknown or inactive agency '%(code)s'"),
    "lane_agency_wrong_type": N_("lane %(lane)s: agency '%(code)s' is a %(actual_type)s, the lane needs a "
                                 "%(agency_type)s"),
    "lane_ambiguous": N_("%(count)s agencies of type %(agency_type)s in %(jurisdiction)s (%(names)s); "
                         "name one in the instance data"),
    "lane_unresolved": N_("lane %(lane)s: no agency of type %(agency_type)s in %(jurisdiction)s nor above "
                          "%(agency)s"),
    # Deadlines (workflows.deadlines): the date a period counts from, and periods themselves.
    "deadline_start_not_date": N_("field '%(field)s' is not an ISO date: %(value)s"),
    "deadline_start_missing": N_("field '%(field)s' holds no date"),
    "deadline_start_too_far": N_("field '%(field)s' holds a date too far in the future: %(value)s"),
    "period_unit_unknown": N_("unknown period unit %(unit)s; expected one of %(units)s"),
    "period_amount_invalid": N_("period amount must be a positive whole number, got %(value)s"),
    "period_too_long": N_("period '%(period)s' exceeds the maximum of %(longest)s (%(years)s years)"),
    "deadline_unrecognised": N_("unrecognised deadline %(text)s; use %(forms)s"),
    "deadline_below_one": N_("deadline %(text)s must be at least 1; use %(forms)s"),
}
