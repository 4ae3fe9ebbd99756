"""The `veille` command line: a lazy click group so each package registers its own commands.

Errors raised on purpose (:class:`VeilleError`) become one line on stderr: exit code 2 for bad
configuration or arguments, 1 for other failures.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from config.errors import ConfigError, DatabasePathError, NotFoundError, ValidationError, VeilleError

if TYPE_CHECKING:  # imported when a command needs them (startup stays fast)
    from config.settings import Settings
    from watcher.db import Store

# command name -> ("module:attribute", one-line help); modules are imported only when the command runs,
# so `veille --help` stays fast (no torch import).
COMMANDS: dict[str, tuple[str, str]] = {
    "crawl": ("veille.cli.crawl:crawl", "Fetch due feeds (all with --all) and store new/updated articles."),
    "feeds": ("veille.cli.feeds:feeds", "Manage sources: list, add, remove, enable, import/export OPML."),
    "export": ("veille.cli.export:export", "Export articles as JSONL or CSV."),
    "update": ("veille.cli.crawl:update", "Crawl, then score."),
    "score": ("veille.cli.scoring:score", "Embed new articles and score profiles, topics and clusters."),
    "feedback": ("veille.cli.scoring:feedback", "Record the DLM's relevance judgement of an article."),
    "eval": ("veille.cli.scoring:evaluate", "Evaluate the scorer against a graded gold set."),
    "profiles": ("veille.cli.scoring:profiles", "List learner profiles and show their top articles."),
    "tools": ("veille.cli.register:tools", "The tool & trend register: list, add, set status."),
    "digest": ("veille.cli.digest:digest", "Build and send email summaries."),
    "ui": ("veille.cli.app:ui", "Serve the Streamlit app."),
    "users": ("veille.cli.app:users", "Manage app users (first editor, roles)."),
    "radar": ("veille.cli.register:radar", "Export the radar (Build-Your-Own-Radar CSV/JSON)."),
    "log": ("veille.cli.register:veille_log", "Export the veille log for a period (CSV or HTML report)."),
    "serve": ("veille.cli.service:serve", "Run the scheduler (crawl, score, digests, retention)."),
    "run": ("veille.cli.service:run", "Start the scheduler and the app together (Ctrl-C stops both)."),
    "demo": ("veille.cli.service:demo", "Serve the offline demo corpus, run the pipeline, open the app."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target[0].split(":")
        module = importlib.import_module(module_name)
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_target, help_) in sorted(COMMANDS.items())])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ConfigError, ValidationError, NotFoundError, DatabasePathError) as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except VeilleError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@dataclass
class AppContext:
    """What every command needs: settings loaded once, a store opened on demand."""

    config_path: Path | None
    _settings: Settings | None = None
    _store: Store | None = None
    extra: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from config.settings import load_settings

            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            from watcher.db import open_store

            self._store = open_store(self.settings.database_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="VEILLE_CONFIG",
    help="Config file (TOML). Default: $VEILLE_CONFIG, else config/veille.toml.",
)
@click.version_option(package_name="veille")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """veille: learning-technology trend watch for Digital Learning Managers."""
    app = AppContext(config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


if __name__ == "__main__":  # pragma: no cover
    # `python -m veille.cli` would otherwise hold two copies of this module (and of AppContext).
    from veille.cli import main as _main

    sys.exit(_main())
