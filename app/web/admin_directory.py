"""Admin pages for the directory (users, agencies, agency types) and the holiday calendar (thin views over
`workflows.directory.entries` and `workflows.deadlines.holidays`)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import password_policy
from app.extensions import db
from app.web.blueprint import admin_bp
from app.web.messages import details_shown, shown
from app.web.security import roles_required, signed_in_user
from workflows.accounts import lifecycle as accounts
from workflows.deadlines import holidays
from workflows.directory import entries as directory
from workflows.errors import DomainError, InvalidDataError
from workflows.messages import message

ROLES = ("liaison", "leader", "mediator", "judge", "clerk", "supervisor", "admin")


def _done(message: str, endpoint: str) -> Response:
    """Commit, say so, and go back to the list."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint))


def _field_label(field: str) -> str:
    """The form's label of a field a service names."""
    labels = {"password": _("Password"), "agency": _("Agency"), "type": _("Agency type"), "level": _("Level"),
              "parent": _("Superior")}
    return labels.get(field, field)


def _failed(err: DomainError, endpoint: str) -> Response:
    """Roll back and show the service's reason, with the fields it names, in the page language."""
    db.session.rollback()
    fields = "; ".join(f"{_field_label(k)}: {' '.join(v)}" for k, v in details_shown(err.details).items())
    flash(f"{shown(err.msg)}{' — ' + fields if fields else ''}", "error")
    return redirect(url_for(endpoint))


@admin_bp.route("/users")
@roles_required("admin")
def list_users() -> str:
    """Every user with agency and roles, and the form to add one."""
    return render_template("admin/users.html", users=directory.visible_users(db.session, signed_in_user()),
                           agencies=directory.list_agencies(db.session), roles=ROLES,
                           min_password_length=password_policy().min_length)


@admin_bp.route("/users", methods=["POST"])
@roles_required("admin")
def create_user() -> Response:
    """Create a user of an agency."""
    form = request.form
    roles = [r for r in form.getlist("roles") if r in ROLES] + \
        [r.strip() for r in form.get("other_roles", "").split(",") if r.strip()]
    try:
        user = directory.create_user(db.session, signed_in_user(), username=form.get("username", "").strip(),
                                     display_name=form.get("display_name", "").strip(),
                                     agency_code=form.get("agency", ""), roles=roles or ["liaison"],
                                     password=form.get("password", ""), policy=password_policy())
    except DomainError as err:
        return _failed(err, "admin.list_users")
    return _done(_("User %(name)s created.", name=user.username), "admin.list_users")


@admin_bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def deactivate_user(user_id: int) -> Response:
    """Refuse the user every sign-in; their sessions and API tokens end at once."""
    try:
        user = accounts.find_user(db.session, user_id)
        accounts.deactivate_user(db.session, signed_in_user(), user)
    except DomainError as err:
        return _failed(err, "admin.list_users")
    return _done(_("User %(name)s was deactivated; their sessions and tokens have ended.", name=user.username),
                 "admin.list_users")


@admin_bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def reactivate_user(user_id: int) -> Response:
    """Let a deactivated user sign in again."""
    try:
        user = accounts.find_user(db.session, user_id)
        accounts.reactivate_user(db.session, signed_in_user(), user)
    except DomainError as err:
        return _failed(err, "admin.list_users")
    return _done(_("User %(name)s can sign in again.", name=user.username), "admin.list_users")


@admin_bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required("admin")
def reset_user_password(user_id: int) -> Response:
    """Set a new password for another user; their sessions and tokens end at once."""
    try:
        user = accounts.find_user(db.session, user_id)
        accounts.reset_password(db.session, signed_in_user(), user, request.form.get("password", ""),
                                password_policy())
    except DomainError as err:
        return _failed(err, "admin.list_users")
    return _done(_("The password of %(name)s was reset; their sessions and tokens have ended.", name=user.username),
                 "admin.list_users")


@admin_bp.route("/agencies")
@roles_required("admin")
def list_agencies() -> str:
    """Agencies and agency types, and the forms to add them."""
    return render_template("admin/agencies.html", agencies=directory.list_agencies(db.session),
                           types=directory.list_agency_types(db.session), levels=directory.LEVELS)


@admin_bp.route("/agencies", methods=["POST"])
@roles_required("admin")
def create_agency() -> Response:
    """Register an agency."""
    form = request.form
    try:
        agency = directory.create_agency(
            db.session, signed_in_user(), code=form.get("code", "").strip(), name=form.get("name", "").strip(),
            type_code=form.get("type", ""), jurisdiction=form.get("jurisdiction", "").strip(),
            level=form.get("level", ""), parent_code=form.get("parent") or None)
    except DomainError as err:
        return _failed(err, "admin.list_agencies")
    return _done(_("Agency %(name)s created.", name=agency.name), "admin.list_agencies")


@admin_bp.route("/agency-types", methods=["POST"])
@roles_required("admin")
def create_agency_type() -> Response:
    """Add an agency type that lanes may name."""
    form = request.form
    try:
        created = directory.create_agency_type(db.session, signed_in_user(), form.get("code", "").strip(),
                                               form.get("name", "").strip(), form.get("description", "").strip())
    except DomainError as err:
        return _failed(err, "admin.list_agencies")
    return _done(_("Agency type %(code)s created.", code=created.code), "admin.list_agencies")


@admin_bp.route("/calendar")
@roles_required("admin")
def show_calendar() -> str:
    """The admin's holidays and make-up working days, and the years entered in full."""
    return render_template("admin/calendar.html", days=holidays.calendar_days(db.session),
                           years=holidays.calendar_years(db.session), covered=holidays.covered_years())


def _parse_day(text: str) -> date:
    """An ISO date from the form."""
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InvalidDataError("date_invalid", {"day": [message("field_invalid_date", value=text)]}) from err


@admin_bp.route("/calendar/days", methods=["POST"])
@roles_required("admin")
def set_day() -> Response:
    """Record a holiday or a make-up working day."""
    try:
        day = _parse_day(request.form.get("day", ""))
        holidays.set_calendar_day(db.session, signed_in_user(), day, request.form.get("kind") == "working",
                                  request.form.get("note", ""))
    except DomainError as err:
        return _failed(err, "admin.show_calendar")
    return _done(_("%(day)s saved.", day=day.isoformat()), "admin.show_calendar")


@admin_bp.route("/calendar/years", methods=["POST"])
@roles_required("admin")
def publish_year() -> Response:
    """Mark a year's holidays as entered in full, so its deadlines are no longer provisional."""
    year = request.form.get("year", type=int)
    if year is None or not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        flash(_("Enter a year."), "error")
        return redirect(url_for("admin.show_calendar"))
    try:
        holidays.publish_year(db.session, signed_in_user(), year, request.form.get("published", "1") == "1")
    except DomainError as err:
        return _failed(err, "admin.show_calendar")
    return _done(_("Year %(year)s saved.", year=year), "admin.show_calendar")
