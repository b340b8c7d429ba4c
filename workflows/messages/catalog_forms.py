"""A submission's JSON Schema errors, one code per kind of check.

`title` is the field's title in the form (its key when it has none), `value` the value sent (as
JSON), `limit` the bound the form sets; `detail` is jsonschema's own text for a check without a code.
"""

from __future__ import annotations

from workflows.messages.catalog_requests import N_

FORMS: dict[str, str] = {
    "form_required": N_("%(title)s is required"),
    "form_not_applicable": N_("does not apply to the choices made in this form"),
    "form_confirm": N_("must be confirmed: %(title)s"),
    "form_option_missing": N_("must include the option: %(option)s"),
    "form_min_length": N_("%(value)s is too short"),
    "form_max_length": N_("%(value)s is too long"),
    "form_min_items": N_("%(value)s has too few entries (at least %(limit)s)"),
    "form_max_items": N_("%(value)s has too many entries (at most %(limit)s)"),
    "form_not_integer": N_("%(value)s is not of type 'integer'"),
    "form_not_number": N_("%(value)s is not of type 'number'"),
    "form_not_string": N_("%(value)s is not of type 'string'"),
    "form_not_boolean": N_("%(value)s is not of type 'boolean'"),
    "form_wrong_shape": N_("%(value)s is not of type '%(expected)s'"),
    "form_not_date": N_("%(value)s is not a 'date'"),
    "form_not_time": N_("%(value)s is not a 'time'"),
    "form_not_email": N_("%(value)s is not an 'email'"),
    "form_not_format": N_("%(value)s is not a '%(format)s'"),
    "form_pattern": N_("%(value)s does not match '%(pattern)s'"),
    "form_const": N_("%(expected)s was expected"),
    "form_not_an_option": N_("%(value)s is not one of the options"),
    "form_minimum": N_("%(value)s is less than the minimum of %(limit)s"),
    "form_maximum": N_("%(value)s is greater than the maximum of %(limit)s"),
    "form_exclusive_minimum": N_("%(value)s is less than or equal to the minimum of %(limit)s"),
    "form_exclusive_maximum": N_("%(value)s is greater than or equal to the maximum of %(limit)s"),
    "form_multiple_of": N_("%(value)s is not a multiple of %(limit)s"),
    "form_not_a_field": N_("'%(name)s' is not a field of this form"),
    "form_dependency": N_("'%(needed)s' is a dependency of '%(given)s'"),
    "form_not_unique": N_("%(value)s has non-unique elements"),
    "form_entry_missing": N_("%(value)s does not contain a required entry"),
    "form_must_be_empty": N_("leave these fields empty for this choice: %(fields)s"),
    "form_not_allowed": N_("%(value)s is not allowed here"),
    "form_invalid": N_("not valid: %(detail)s"),
}
