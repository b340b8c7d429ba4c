"""Agencies, agency types and users."""

from __future__ import annotations

from typing import Any

from flask_login import login_required

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.api.schemas import (
    AgencySchema,
    AgencyTypeSchema,
    CreateAgencySchema,
    CreateUserSchema,
    ResetPasswordSchema,
    UserSchema,
)
from app.auth import acting_user, password_policy, role_required
from app.extensions import db
from workflows.accounts import lifecycle as accounts
from workflows.directory import entries as directory

blp = Blueprint("directory", __name__, url_prefix="/api/v1", description="Agencies and users")


@blp.route("/agency-types")
@login_required
@blp.response(200, AgencyTypeSchema(many=True))
def list_agency_types() -> Any:
    """All agency types."""
    return directory.list_agency_types(db.session)


@blp.route("/agency-types", methods=["POST"])
@role_required("admin")
@answers(403, 409)
@blp.arguments(AgencyTypeSchema)
@blp.response(201, AgencyTypeSchema)
def create_agency_type(args: dict[str, Any]) -> Any:
    """Add an agency type (admin)."""
    created = directory.create_agency_type(db.session, acting_user(), **args)
    db.session.commit()
    return created


@blp.route("/agencies")
@login_required
@blp.response(200, AgencySchema(many=True))
def list_agencies() -> Any:
    """All agencies (a liaison needs them to name a target agency)."""
    return directory.list_agencies(db.session)


@blp.route("/agencies", methods=["POST"])
@role_required("admin")
@answers(403, 409)
@blp.arguments(CreateAgencySchema)
@blp.response(201, AgencySchema)
def create_agency(args: dict[str, Any]) -> Any:
    """Register an agency (admin)."""
    created = directory.create_agency(
        db.session, acting_user(), code=args["code"], name=args["name"], type_code=args["type"],
        jurisdiction=args["jurisdiction"], level=args["level"], parent_code=args["parent"])
    db.session.commit()
    return created


@blp.route("/users")
@login_required
@blp.response(200, UserSchema(many=True))
def list_users() -> Any:
    """Users of the caller's agency; admins and supervisors see everyone."""
    return directory.visible_users(db.session, acting_user())


@blp.route("/users", methods=["POST"])
@role_required("admin")
@answers(403, 409)
@blp.arguments(CreateUserSchema)
@blp.response(201, UserSchema)
def create_user(args: dict[str, Any]) -> Any:
    """Create a user (admin)."""
    created = directory.create_user(db.session, acting_user(), **args, policy=password_policy())
    db.session.commit()
    return created


@blp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required("admin")
@answers(403, 404, 409)
@blp.response(200, UserSchema)
def deactivate_user(user_id: int) -> Any:
    """Refuse the user every login; their sessions and tokens end at once (admin, not oneself)."""
    user = accounts.find_user(db.session, user_id)
    accounts.deactivate_user(db.session, acting_user(), user)
    db.session.commit()
    return user


@blp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required("admin")
@answers(403, 404)
@blp.response(200, UserSchema)
def reactivate_user(user_id: int) -> Any:
    """Let a deactivated user log in again (admin)."""
    user = accounts.find_user(db.session, user_id)
    accounts.reactivate_user(db.session, acting_user(), user)
    db.session.commit()
    return user


@blp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
@answers(403, 404, 409)
@blp.arguments(ResetPasswordSchema)
@blp.response(204)
def reset_user_password(args: dict[str, Any], user_id: int) -> None:
    """Set a new password for another user; their sessions and tokens end at once (admin)."""
    user = accounts.find_user(db.session, user_id)
    accounts.reset_password(db.session, acting_user(), user, args["password"], password_policy())
    db.session.commit()
