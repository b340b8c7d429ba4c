"""The API's blueprint: flask-smorest's, reading JSON bodies strictly (workflows.strict_json).

webargs reads a body with Python's json module, which takes `NaN` and `Infinity` and follows any
nesting; every API module builds its blueprint from this class instead, so a body is read once,
by our rules, and a refusal is a 400 that says why. A body sent as something other than JSON to an
endpoint that takes JSON is a 415 that says what to send.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from workflows import strict_json


class StrictJsonParser(FlaskParser):
    """webargs' Flask parser with strict JSON bodies."""

    def _raw_load_json(self, req: Request) -> Any:
        """The body's JSON value; `missing` for an empty body; 415 for a body of another type; 400 if refused."""
        if not is_json_request(req):
            # A form body is parsed (and its stream read) before the view: by the NUL check, by CSRF.
            if req.content_length or req.form or req.files:
                abort(415, message=f"send the body as JSON (Content-Type: application/json), not "
                                   f"{req.mimetype or 'without a content type'}")
            return core.missing
        data = req.get_data(cache=True)
        if not data.strip():
            return core.missing
        try:
            return strict_json.loads(data)
        except strict_json.JsonInputError as err:
            abort(400, exc=err, message=f"the request body is not valid JSON: {err}", messages={"json": [str(err)]})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the strict parser; every API module uses it."""

    ARGUMENTS_PARSER = StrictJsonParser()
