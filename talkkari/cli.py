"""``talkkari``: the command line of the one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.articles import ArticleError
from talkkari.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from store import Database

__all__ = ["main"]

log = logging.getLogger("talkkari")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "command"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"talkkari: configuration error: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings, quiet=arguments.command == "chat")
    try:
        return int(asyncio.run(arguments.command(settings, arguments)) or 0)
    except KeyboardInterrupt:
        return 130
    except SettingsError as exc:
        print(f"talkkari: configuration error: {exc}", file=sys.stderr)
        return 2
    except ArticleError as exc:
        print(f"talkkari: service articles: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talkkari", description="Kaupunkitalkkari, the city's caretaker bot."
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    run = commands.add_parser("run", help="run everything in one process")
    run.add_argument(
        "--demo",
        action="store_true",
        help="seed demo data; without TALKKARI_SECRET_KEY, use the demo's own key (made once, "
        "kept in TALKKARI_DATA_DIR)",
    )
    run.set_defaults(command=_run)

    chat = commands.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--language", help="your app language, as Telegram would tell (fi/sv/en)")
    chat.set_defaults(command=_chat)

    parse = commands.add_parser("parse", help="what the bot understands of a text (JSON)")
    parse.add_argument("text", nargs="?", help="the text; without it, one text per stdin line")
    parse.set_defaults(command=_parse)

    nlu = commands.add_parser("nlu", help="the understanding: train and evaluate")
    nlu_commands = nlu.add_subparsers(metavar="ACTION", required=True)
    nlu_commands.add_parser("train", help="train from intents/data and save").set_defaults(
        command=_nlu_train
    )
    evaluate = nlu_commands.add_parser(
        "evaluate", help="cross-validate on the training data; and evaluate on FILE (JSONL)"
    )
    evaluate.add_argument("file", nargs="?", type=Path, help="JSONL: text, lang, intent, entities")
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.set_defaults(command=_nlu_evaluate)

    cases = commands.add_parser("cases", help="the local case registry")
    cases_commands = cases.add_subparsers(metavar="ACTION", required=True)
    import_cases = cases_commands.add_parser(
        "import", help="add or update registry cases from a CSV file (UTF-8, with a header)"
    )
    import_cases.add_argument(
        "file",
        type=Path,
        help="columns: diary_number, title, status (required); title_sv, title_en, team, "
        "note, note_sv, note_en",
    )
    import_cases.set_defaults(command=_cases_import)

    officials = commands.add_parser("officials", help="officials' accounts")
    officials_commands = officials.add_subparsers(metavar="ACTION", required=True)
    add_official = officials_commands.add_parser(
        "add", help="add an official's account (the password is read from stdin)"
    )
    add_official.add_argument("--email", required=True, help="the login name")
    add_official.add_argument("--name", required=True, help="as residents see it")
    add_official.add_argument("--title", required=True, help="public title in Finnish")
    add_official.add_argument("--title-sv", help="public title in Swedish")
    add_official.add_argument("--title-en", help="public title in English")
    add_official.add_argument("--role", required=True, choices=("admin", "official", "comms"))
    add_official.add_argument(
        "--team", action="append", default=[], metavar="KEY", help="a team's key (repeatable)"
    )
    add_official.add_argument(
        "--language",
        action="append",
        choices=("fi", "sv", "en"),
        help="a language the official answers in (repeatable; default fi)",
    )
    add_official.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password (at least 12 characters) from the first line of stdin",
    )
    add_official.set_defaults(command=_officials_add)

    privacy = commands.add_parser("privacy", help="residents' data")
    privacy_commands = privacy.add_subparsers(metavar="ACTION", required=True)
    privacy_commands.add_parser(
        "purge",
        help="purge message texts past TALKKARI_RETENTION_MONTHS now (also done hourly by run)",
    ).set_defaults(command=_privacy_purge)

    kb = commands.add_parser("kb", help="the service articles the bot answers from")
    kb_commands = kb.add_subparsers(metavar="ACTION", required=True)
    kb_check = kb_commands.add_parser(
        "check", help="validate a pack and list articles past review_by"
    )
    kb_check.add_argument("directory", nargs="?", type=Path, help="default TALKKARI_KB_DIRECTORY")
    kb_check.set_defaults(command=_kb_check)
    kb_export = kb_commands.add_parser(
        "export",
        help="write the articles as officials have edited them (the database's newest versions "
        "over the pack) to DIRECTORY, for review and for the pack in git",
    )
    kb_export.add_argument("directory", type=Path)
    kb_export.set_defaults(command=_kb_export)
    for name, about, command in (
        ("evaluate", "answer accuracy on FILE (JSONL: text, lang, article)", _kb_evaluate),
        ("tune", "sweep the confidence on FILE (the dev set, never the test set)", _kb_tune),
    ):
        kb_action = kb_commands.add_parser(name, help=about)
        kb_action.add_argument("file", type=Path)
        kb_action.add_argument("--articles", type=Path, help="default TALKKARI_KB_DIRECTORY")
        kb_action.set_defaults(command=command)

    database = commands.add_parser("db", help="the database")
    database_commands = database.add_subparsers(metavar="ACTION", required=True)
    database_commands.add_parser("upgrade", help="migrate the schema to the newest").set_defaults(
        command=_db_upgrade
    )
    return parser


async def _run(settings: Settings, arguments: argparse.Namespace) -> int:
    from talkkari.places import announce_database
    from talkkari.secret_key import with_secret_key

    # Before the heavy imports and the model: a missing key stops the start at once.
    settings = with_secret_key(settings, demo=arguments.demo)

    from talkkari.demo import DEMO_CHANNEL, DemoTransport, seed_demo
    from talkkari.runtime import Runtime, serve

    extra = {DEMO_CHANNEL: DemoTransport()} if arguments.demo else {}
    runtime = Runtime.build(settings, extra_transports=extra)
    announce_database(settings)
    if arguments.demo:
        from store import upgrade

        await upgrade(runtime.database)
        await seed_demo(runtime.database, runtime.intake, runtime.router)
    await serve(
        runtime,
        on_ready=lambda: log.info(
            "Kaupunkitalkkari is running. Talk to it in another terminal: talkkari chat"
        ),
    )
    return 0


async def _chat(settings: Settings, arguments: argparse.Namespace) -> int:
    import secrets

    from pydantic import SecretStr

    from bot.channels.terminal import CHANNEL, TerminalTransport, chat
    from store import upgrade
    from talkkari.places import announce_database
    from talkkari.runtime import Runtime

    announce_database(settings)
    # The chat serves no HTTP: its admin API never answers, so a throwaway key signs nothing.
    throwaway = SecretStr(secrets.token_urlsafe(48))
    runtime = Runtime.build(
        settings.model_copy(update={"telegram_token": None, "secret_key": throwaway}),
        extra_transports={CHANNEL: TerminalTransport(sys.stdout)},
        channels={CHANNEL},
    )
    try:
        await upgrade(runtime.database)
        await runtime.router.refresh()
        print("Kaupunkitalkkari — write to the bot (Ctrl-D ends). Kirjoita / skriv / write:")
        await chat(runtime.intake, runtime.sender, language_code=arguments.language)
    finally:
        await runtime.database.dispose()
    return 0


async def _parse(settings: Settings, arguments: argparse.Namespace) -> int:
    import json

    from intents import Understanding

    understanding = Understanding.load_or_train(settings.nlu_cache_dir)
    texts = (
        [arguments.text]
        if arguments.text is not None
        else (line.rstrip("\n") for line in sys.stdin)
    )
    for text in texts:
        result = understanding.parse(text).as_rasa_json()
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


async def _nlu_train(settings: Settings, arguments: argparse.Namespace) -> int:
    import time

    from intents import Understanding, cached_model_path

    started = time.perf_counter()
    understanding = Understanding.train()
    path = cached_model_path(settings.nlu_cache_dir)
    understanding.save(path)
    print(
        f"trained in {time.perf_counter() - started:.1f} s: fallback threshold "
        f"{understanding.threshold:.2f}, temperature {understanding.temperature:.3f}; "
        f"saved {path}"
    )
    return 0


async def _nlu_evaluate(settings: Settings, arguments: argparse.Namespace) -> int:
    from talkkari.nlu_report import evaluation_report

    for line in evaluation_report(settings.nlu_cache_dir, arguments.file, folds=arguments.folds):
        print(line)
    return 0


async def _db_upgrade(settings: Settings, arguments: argparse.Namespace) -> int:
    from store import upgrade

    database = _database(settings)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    print("database schema is up to date")
    return 0


async def _privacy_purge(settings: Settings, arguments: argparse.Namespace) -> int:
    from store import SystemClock, upgrade
    from store.retention import RetentionJob

    database = _database(settings)
    try:
        await upgrade(database)
        job = RetentionJob(database, clock=SystemClock(), months=settings.retention_months)
        purged = await job.purge_once()
    finally:
        await database.dispose()
    print(
        f"purged texts older than {settings.retention_months} months: "
        f"{purged.messages} messages, {purged.outbox_rows} outbox rows, "
        f"{purged.updates} stored updates"
    )
    return 0


async def _cases_import(settings: Settings, arguments: argparse.Namespace) -> int:
    from knowledge.registry import import_cases, read_cases_csv
    from store import SystemClock, upgrade

    try:
        rows, refused = read_cases_csv(arguments.file)
    except OSError as exc:
        print(f"talkkari: cannot read {arguments.file}: {exc.strerror}", file=sys.stderr)
        return 2
    for line in refused:
        print(f"refused {line}", file=sys.stderr)
    database = _database(settings)
    try:
        await upgrade(database)
        done = await import_cases(database, rows, clock=SystemClock())
    finally:
        await database.dispose()
    print(
        f"registry: {done.added} added, {done.updated} updated, "
        f"{len(rows) - done.added - done.updated} unchanged, {len(refused)} refused"
    )
    return 1 if refused else 0


async def _officials_add(settings: Settings, arguments: argparse.Namespace) -> int:
    from pydantic import SecretStr, ValidationError
    from sqlalchemy import func, inspect, select

    from admin_api import Passwords
    from admin_api.errors import ApiError
    from admin_api.officials import MIN_PASSWORD_LENGTH, OfficialIn, add_official
    from routing.audit import Actor
    from store import Official, SystemClock, Team, upgrade

    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(
            f"talkkari: the password must be at least {MIN_PASSWORD_LENGTH} characters long",
            file=sys.stderr,
        )
        return 2
    database = _database(settings)
    try:
        async with database.engine.connect() as connection:
            migrated = await connection.run_sync(
                lambda sync: inspect(sync).has_table("alembic_version")
            )
        await upgrade(database)
        async with database.sessions() as session:
            known = {key: id_ for key, id_ in await session.execute(select(Team.key, Team.id))}
            others = await session.scalar(select(func.count()).select_from(Official)) or 0
        if not migrated or not others:
            # The first administrator comes from here; a server already running that has
            # officials of its own works on another database.
            print(
                "talkkari: warning: "
                + ("this database was empty (its tables were made just now)" if not migrated
                   else "this database has no other official")
                + ": if a server is already running, check it uses this database "
                "(TALKKARI_DATABASE_URL, TALKKARI_DATA_DIR)",
                file=sys.stderr,
            )  # fmt: skip
        unknown = [key for key in arguments.team if key not in known]
        if unknown:
            print(
                f"talkkari: no team with the key {', '.join(unknown)}; "
                f"known keys: {', '.join(sorted(known)) or '(no teams yet)'}",
                file=sys.stderr,
            )
            return 2
        try:
            new = OfficialIn(
                email=arguments.email,
                name=arguments.name,
                title_fi=arguments.title,
                title_sv=arguments.title_sv,
                title_en=arguments.title_en,
                languages=arguments.language or ["fi"],
                role=arguments.role,
                teams=[known[key] for key in arguments.team],
                password=SecretStr(password),
            )
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                print(f"talkkari: {where}: {error['msg']}", file=sys.stderr)
            return 2
        password_hash = await Passwords().hash(password)
        try:
            async with database.transaction() as session:
                official = await add_official(
                    session,
                    new,
                    password_hash=password_hash,
                    actor=Actor(None, "cli"),
                    at=SystemClock().now(),
                )
        except ApiError as exc:
            print(f"talkkari: {exc.detail}", file=sys.stderr)
            return 1
    finally:
        await database.dispose()
    print(f"added {official.role} {official.email} (id {official.id})")
    return 0


async def _kb_check(settings: Settings, arguments: argparse.Namespace) -> int:
    from datetime import date

    from talkkari.kb_report import check_report

    try:
        for line in check_report(arguments.directory or settings.kb_directory, today=date.today()):
            print(line)
    except ArticleError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    return 0


async def _kb_export(settings: Settings, arguments: argparse.Namespace) -> int:
    from knowledge.editions import PACK_VERSION, ArticlePack, current_editions
    from store import upgrade

    pack = ArticlePack.read(settings.kb_directory)
    database = _database(settings)
    try:
        await upgrade(database)
        async with database.sessions() as session:
            editions = await current_editions(session, pack)
    finally:
        await database.dispose()
    current = [edition for edition in editions.values() if not edition.retired]
    _write_articles(arguments.directory, {e.article_id: e.text for e in current})
    edited = sum(edition.version != PACK_VERSION for edition in current)
    retired = sorted(edition.article_id for edition in editions.values() if edition.retired)
    print(
        f"{len(current)} articles written to {arguments.directory} "
        f"({edited} as edited by officials)"
    )
    if retired:
        print(f"retired, left out: {', '.join(retired)}")
    return 0


def _database(settings: Settings) -> Database:
    from store import Database
    from talkkari.places import announce_database

    announce_database(settings)
    return Database(settings.database_url)


def _write_articles(directory: Path, texts: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for article_id, text in texts.items():
        (directory / f"{article_id}.md").write_text(text, encoding="utf-8")


async def _kb_evaluate(settings: Settings, arguments: argparse.Namespace) -> int:
    from knowledge.evaluation import QuestionsError
    from talkkari.kb_report import evaluation_report

    try:
        for line in evaluation_report(arguments.articles or settings.kb_directory, arguments.file):
            print(line)
    except (OSError, QuestionsError) as exc:
        print(f"talkkari: {exc}", file=sys.stderr)
        return 2
    return 0


async def _kb_tune(settings: Settings, arguments: argparse.Namespace) -> int:
    from talkkari.kb_report import tuning_report

    for line in tuning_report(arguments.articles or settings.kb_directory, arguments.file):
        print(line)
    return 0


def _configure_logging(settings: Settings, *, quiet: bool) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at info level, and Telegram's URLs carry the bot token;
    # rasa-sdk tells at info level of every slot an action asks for and has not got.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "alembic", "rasa_sdk"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
