"""Accounts in the browser: an admin deactivates and reactivates a user who is signed in elsewhere, and a user
changes their own password."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import sign_in
from workflows.directory.entries import create_user

PASSWORD = "willow-bridge-2026"
NEW_PASSWORD = "copper-kettle-2027"


def _user(live_app: Flask, username: str) -> None:
    """A user of 嘉定 MSA made for this test (the demo users are shared by the other browser tests)."""
    from app.extensions import db

    with live_app.app_context():
        create_user(db.session, None, username=username, display_name=username, agency_code="jd_msa",
                    roles=["liaison"], password=PASSWORD)
        db.session.commit()


def _flash(page: Any, kind: str = "success") -> str:
    """The message shown after a form was sent."""
    return page.locator(f".flash.{kind}").inner_text()


def test_a_deactivated_user_is_signed_out_at_the_next_click(live_app, new_page) -> None:  # noqa: ANN001
    _user(live_app, "bt_officer")
    officer = new_page()
    sign_in(officer, "bt_officer", PASSWORD)

    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/users")
    admin.locator("table tr", has_text="bt_officer").get_by_role("button", name="停用").click()
    assert _flash(admin) == "用户 bt_officer 已停用；其登录会话和令牌均已失效。"
    assert "已停用" in admin.locator("table tr", has_text="bt_officer").inner_text()

    officer.goto("/work-items")
    assert "/login" in officer.url

    admin.locator("table tr", has_text="bt_officer").get_by_role("button", name="重新启用").click()
    assert _flash(admin) == "用户 bt_officer 已重新启用，可以登录。"
    sign_in(officer, "bt_officer", PASSWORD)


def test_a_user_changes_their_password_and_signs_in_with_it(live_app, new_page) -> None:  # noqa: ANN001
    _user(live_app, "bt_clerk")
    clerk = new_page()
    sign_in(clerk, "bt_clerk", PASSWORD)
    clerk.get_by_test_id("change-password").click()
    clerk.fill("#current_password", PASSWORD)
    clerk.fill("#new_password", "bt_clerk-2027")  # long enough, but it names the user
    clerk.fill("#new_password_again", "bt_clerk-2027")
    clerk.get_by_role("button", name="修改密码").click()
    assert clerk.locator("[data-error-for=new_password]").inner_text().endswith("不能包含用户名。")

    clerk.fill("#current_password", PASSWORD)
    clerk.fill("#new_password", NEW_PASSWORD)
    clerk.fill("#new_password_again", NEW_PASSWORD)
    clerk.get_by_role("button", name="修改密码").click()
    assert "/login" in clerk.url and _flash(clerk) == "密码已修改，请用新密码登录。"
    sign_in(clerk, "bt_clerk", NEW_PASSWORD)
