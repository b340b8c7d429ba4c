"""The judicial-confirmation package as PDF: how long the first render takes and each one after it.

Run with `python -m bench.package_pdf [--renders N]`. A throw-away SQLite database gets the demo
directory, the shipped processes and one mediation brought to a signed agreement (as the PDF test
builds it); a signed-in mediator then asks for `/mediation/<id>/package.pdf` N times in one process,
as a server worker would. Prints each request's wall time: the first pays for loading WeasyPrint and
the fonts, the later ones are what a person waits for.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()

    from flask_migrate import upgrade

    import workflows.models.user as user_model
    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from tests.browser.seed import mediation_agreed
    from tests.test_web_pages import sign_in
    from workflows.deployment.deploy import deploy_folder

    user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # the logins are not under test
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        with app.app_context():
            upgrade()
            load_demo(db.session, None)
            deploy_folder(db.session, ROOT / "bpmn")
            db.session.commit()
        instance_id = mediation_agreed(app, "嘉知调〔2026〕7号")
        client = app.test_client()
        sign_in(client, "jd_mediator")
        for n in range(1, args.renders + 1):
            started = time.perf_counter()
            response = client.get(f"/mediation/{instance_id}/package.pdf")
            took = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            print(f"render {n}: {took * 1000:7.0f} ms  ({len(response.data) // 1024} KiB)")


if __name__ == "__main__":
    main()
