"""The `matchmaker` console script, also `python -m webapp`: the commands of ``webapp.cli`` on
an app made for them. Here, above the app factory, since ``create_app`` registers those
commands."""

from flask.cli import FlaskGroup

from webapp.app import create_app


def main() -> None:
    """Entry point of the `matchmaker` console script."""
    cli = FlaskGroup(
        # Commands are no web workers: no index loading or periodic thread at start.
        create_app=lambda: create_app({"BACKGROUND_AT_START": False}),
        add_version_option=False,
        help="Matchmaker: working groups of public buyers, tenders for social enterprises.",
    )
    cli.main(prog_name="matchmaker")


if __name__ == "__main__":
    main()
