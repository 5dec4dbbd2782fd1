"""Command-line tasks: roles, demo data, organisation import, and the processes (`serve`, `worker`, `scheduler`)."""
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

from app.services.organization_import import ImportFailed, import_organizations, read_rows


def register_commands(app) -> None:
    @app.cli.command("sync-roles")
    def sync_roles():
        """Create the roles of DESIGN §1 and set their permissions from app/security/roles.py."""
        counts = current_app.appbuilder.sm.sync_roles()
        for role, n in counts.items():
            click.echo(f"{role}: {n}")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo county, township, villages and accounts (safe to run again)."""
        from app.demo import ACCOUNTS, seed

        created = seed(current_app.config["DEMO_PASSWORD"])
        click.echo(_("Demo data ready (%(n)d new records)", n=created))
        click.echo(_("Demo accounts (password from DEMO_PASSWORD):"))
        for username, (role, unit, _name) in ACCOUNTS.items():
            click.echo(f"  {username:<10} {role:<15} {unit}")

    @app.cli.command("import-organizations")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_organizations_command(path: Path):
        """Import organisations from a CSV or Excel file; nothing is imported if any row is bad."""
        try:
            result = import_organizations(read_rows(path.name, path.read_bytes()),
                                          max_rows=current_app.config["UPLOAD_MAX_ROWS"])
        except ImportFailed as failed:
            for line, reason in failed.errors:
                click.echo(_("Line %(line)d: %(reason)s", line=line, reason=reason) if line else reason, err=True)
            raise SystemExit(1)
        click.echo(_("Imported: %(created)d new, %(updated)d updated", created=result.created, updated=result.updated))

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    @click.option("--queue", "names", multiple=True, help="Serve only these queues (repeatable; default: all).")
    @click.option("--quiet", is_flag=True, help="Log only warnings and errors, not every job.")
    def worker(burst: bool, names: tuple[str, ...], quiet: bool):
        """Run an RQ worker inside the app (jobs use its database and settings)."""
        from rq import Queue, Worker

        from app.jobs import QUEUES, redis_connection

        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set")
        from app.documents.pdf import warm_up

        warm_up()  # each job runs in a fork of this process: it starts with the fonts loaded
        unknown = set(names) - set(QUEUES)
        if unknown:
            raise click.BadParameter(f"unknown queue(s) {', '.join(sorted(unknown))}; there are {', '.join(QUEUES)}")
        queues = [Queue(name, connection=connection) for name in (names or QUEUES)]
        Worker(queues, connection=connection).work(burst=burst, logging_level="WARNING" if quiet else "INFO")

    @app.cli.command("scheduler")
    def scheduler():
        """Enqueue the periodic jobs of app/jobs/periodic.py on time (safe to restart, or to run twice)."""
        from app.jobs.periodic import run_scheduler

        if not current_app.config.get("REDIS_URL"):
            raise click.ClickException("REDIS_URL is not set")
        run_scheduler()

    @app.cli.command("serve")
    @click.option("--port", default=5000, show_default=True)
    @click.option("--web-workers", default=2, show_default=True)
    def serve_command(port: int, web_workers: int):
        """Web, worker and scheduler together; an embedded Redis when REDIS_URL is unset (make run)."""
        from app.serve import serve

        raise SystemExit(serve(port, web_workers, current_app.config.get("REDIS_URL")))
