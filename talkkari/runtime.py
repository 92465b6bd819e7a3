"""The composition root: one process wires the channels, the dialogue, the sender and HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from telegram.error import InvalidToken, TelegramError

from admin_api import SessionPolicy
from bot.actions import DEFAULT_POLICY, default_actions
from bot.areas import AreaBook, StoredNotices
from bot.cases import CaseWatcher, FollowBook, WatchPolicy
from bot.cases.prefetch import CasePrefetch
from bot.channels import telegram as telegram_channel
from bot.channels.telegram import TelegramChannel
from bot.dialogue import Dialogue
from bot.flooding import FloodLimit
from bot.groups import GroupLinks
from bot.handoff import CityContact, HandoffEdge, WithPeople
from bot.intake import Intake
from bot.metrics import BotMetrics
from bot.notices import NoticeDispatcher
from bot.ports import Transport
from bot.privacy import PrivacyBook, PrivacyNotice
from bot.sender import Sender, SenderPolicy
from intents import Understanding
from knowledge.ahjo import AhjoClient
from knowledge.areas import area_registry
from knowledge.editions import ArticlePack
from knowledge.lookup import Cases
from knowledge.registry import CaseRegistry
from knowledge.reload import KnowledgeReload
from knowledge.retrieval import KnowledgeBase, LiveKnowledge
from routing import InboxBell, Router, TeamInfo, make_promise
from routing.sla import SlaWatch
from store import Clock, Database, SystemClock, Team, upgrade
from store.notify import ARTICLES, INBOUND, INBOX, NOTICES, OUTBOX, FileWatch, Listener
from store.retention import RetentionJob
from store.roles import AdvisoryRole
from talkkari.explain import routing_explainer
from talkkari.health import Health
from talkkari.http import build_http_app
from talkkari.metrics import OperationsMetrics
from talkkari.secret_key import require_secret_key
from talkkari.settings import Settings, TelegramMode

__all__ = ["Runtime", "serve"]

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0
QUIET_POLL_SECONDS = 30.0
"""How long the intake and the sender wait unasked when idle on PostgreSQL, where ``NOTIFY``
wakes them (a safety net: a notification is lost while the listener reconnects)."""


@dataclass
class Runtime:
    """Everything one process runs, built from the settings and nothing else."""

    settings: Settings
    database: Database
    clock: Clock
    metrics: BotMetrics
    registry: CollectorRegistry
    dialogue: Dialogue
    intake: Intake
    sender: Sender
    cases: Cases
    ahjo: AhjoClient | None
    watcher: CaseWatcher
    notices: NoticeDispatcher
    router: Router
    sla: SlaWatch
    retention: RetentionJob
    bell: InboxBell
    telegram: TelegramChannel | None
    http: FastAPI
    knowledge: LiveKnowledge
    """The service articles answered from; swap them with ``knowledge.replace``."""
    knowledge_reload: KnowledgeReload
    """Lays the versions officials saved over the pack in ``knowledge``, and keeps it so."""
    listener: Listener | FileWatch | None = None
    """Rings this process's doorbells for what others wrote: other replicas' ``NOTIFY`` on
    PostgreSQL, a change of the database's files on SQLite."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        extra_transports: Mapping[str, Transport] | None = None,
        channels: set[str] | None = None,
        understanding: Understanding | None = None,
    ) -> Runtime:
        secret_key = require_secret_key(settings)  # nothing built here signs with a known key
        clock = clock or SystemClock()
        database = Database(settings.database_url)
        registry = CollectorRegistry()
        metrics = BotMetrics.create(registry)
        operations = OperationsMetrics(registry)
        understanding = understanding or Understanding.load_or_train(settings.nlu_cache_dir)
        ahjo = (
            AhjoClient(
                str(settings.ahjo_url).rstrip("/"),
                clock=clock,
                api_key=settings.ahjo_api_key.get_secret_value() if settings.ahjo_api_key else None,
                deadline=settings.ahjo_deadline,
                observer=operations,
            )
            if settings.ahjo_url
            else None
        )
        cases = Cases(CaseRegistry(database), ahjo, clock=clock)
        watch_interval = timedelta(seconds=settings.case_watch_interval)
        timezone = ZoneInfo(settings.timezone)
        router = Router(database, timezone=timezone)
        # A bad pack stops the start with one line naming the file (ArticleError, see cli).
        pack = ArticlePack.read(settings.kb_directory)
        knowledge = LiveKnowledge(KnowledgeBase(pack.articles.values()))
        knowledge_reload = KnowledgeReload(database, pack, knowledge, interval=QUIET_POLL_SECONDS)
        bell = InboxBell()
        privacy = PrivacyNotice(
            url=str(settings.privacy_notice_url) if settings.privacy_notice_url else None,
            retention_months=settings.retention_months,
        )
        contact = CityContact(
            url=str(settings.city_contact_url) if settings.city_contact_url else None,
            phone=settings.city_contact_phone,
        )
        dialogue = Dialogue(
            actions=default_actions(
                cases,
                router=router,
                clock=clock,
                timezone=timezone,
                notices=StoredNotices(database, area_registry(), clock=clock),
                privacy=privacy,
                knowledge=knowledge,
                contact=contact,
            ),
            policy=DEFAULT_POLICY,
            clock=clock,
            metrics=metrics,
            understand=understanding.parse,
            edges=[
                FollowBook(check_interval=watch_interval),
                HandoffEdge(),
                AreaBook(),
                PrivacyBook(),
            ],
            preparers=[CasePrefetch(cases)],
            people=WithPeople(router, timezone=timezone, contact=contact),
            groups=GroupLinks(area_registry()),
        )
        outbox_doorbell = asyncio.Event()
        transports: dict[str, Transport] = dict(extra_transports or {})
        # SQLite: one process, whose doorbells ring in memory; PostgreSQL: NOTIFY rings them.
        idle_poll = QUIET_POLL_SECONDS
        intake = Intake(
            database,
            dialogue,
            channels=set(channels or transports)
            | ({telegram_channel.CHANNEL} if settings.telegram_token else set()),
            clock=clock,
            metrics=metrics,
            on_answer=outbox_doorbell.set,
            idle_poll_seconds=idle_poll,
            flood=FloodLimit(settings.flood_messages_per_minute, settings.flood_pace_seconds),
        )
        telegram = None
        if settings.telegram_token is not None:
            webhook = settings.telegram_mode is TelegramMode.WEBHOOK
            telegram = TelegramChannel(
                token=settings.telegram_token.get_secret_value(),
                base_url=settings.telegram_base_url,
                record=intake.record_many,
                poll_timeout=settings.telegram_poll_timeout,
                spacing=telegram_channel.Spacing(
                    private=settings.telegram_chat_spacing, group=settings.telegram_group_spacing
                ),
                webhook_url=str(settings.webhook_url) if webhook else None,
                webhook_secret=settings.webhook_secret.get_secret_value()
                if webhook and settings.webhook_secret
                else None,
            )
            transports[telegram_channel.CHANNEL] = telegram.transport
        sender = Sender(
            database,
            transports,
            clock=clock,
            metrics=metrics,
            policy=SenderPolicy(
                rate=settings.send_rate,
                lease_seconds=settings.outbox_lease_seconds,
                idle_poll_seconds=idle_poll,
                handover_pause=max(settings.telegram_chat_spacing, settings.telegram_group_spacing),
            ),
            doorbell=outbox_doorbell,
            # Replicas that send the same channels elect one sender among them.
            role=None
            if database.is_sqlite
            else AdvisoryRole(database, "talkkari sender: " + ",".join(sorted(transports))),
        )
        watcher = CaseWatcher(
            database,
            cases,
            clock=clock,
            policy=WatchPolicy(interval=watch_interval),
            on_notice=outbox_doorbell.set,
        )
        areas = area_registry()
        notices = NoticeDispatcher(
            database,
            clock=clock,
            registry=areas,
            on_queued=outbox_doorbell.set,
            idle_interval=idle_poll,
        )

        def due_for(team: Team, now: datetime) -> datetime | None:
            info = router.team(team.id) or TeamInfo.from_row(team, timezone=timezone)
            return make_promise(info, now).due_at

        sla = SlaWatch(
            database,
            clock=clock,
            due_for=due_for,
            on_change=bell.ring,
            on_escalated=operations.escalated,
        )
        database.on_notify(INBOUND, intake.wake)
        database.on_notify(OUTBOX, outbox_doorbell.set)
        database.on_notify(INBOX, bell.ring)
        database.on_notify(NOTICES, notices.wake)
        database.on_notify(ARTICLES, knowledge_reload.wake)
        retention = RetentionJob(database, clock=clock, months=settings.retention_months)
        http = build_http_app(
            database=database,
            registry=registry,
            telegram=telegram,
            telegram_mode=settings.telegram_mode.value if telegram else "off",
            clock=clock,
            secret_key=secret_key,
            session_policy=SessionPolicy(
                idle=timedelta(hours=settings.session_idle_hours),
                lifetime=timedelta(hours=settings.session_max_hours),
            ),
            on_routing_changed=router.refresh,
            explain=routing_explainer(understanding.parse, router),
            bell=bell,
            timezone=timezone,
            areas=areas,
            notice_languages=settings.required_notice_languages,
            articles=knowledge_reload.pack,
            on_articles_changed=knowledge_reload.refresh,
            health=Health(
                database=database, clock=clock, telegram=telegram, ahjo=ahjo, router=router
            ),
            operations=operations,
        )
        return cls(
            settings=settings,
            database=database,
            clock=clock,
            metrics=metrics,
            registry=registry,
            dialogue=dialogue,
            intake=intake,
            sender=sender,
            cases=cases,
            ahjo=ahjo,
            watcher=watcher,
            notices=notices,
            router=router,
            sla=sla,
            retention=retention,
            bell=bell,
            telegram=telegram,
            http=http,
            knowledge=knowledge,
            knowledge_reload=knowledge_reload,
            listener=FileWatch(database) if database.is_sqlite else Listener(database),
        )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling (the runtime decides when to stop), and
    without its ten ticks a second: it wakes once a second (the ``Date`` header's resolution)
    and at once when told to exit."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._exit_now = asyncio.Event()
        super().__init__(config)

    @property
    def should_exit(self) -> bool:
        return self._exit_now.is_set()

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self._exit_now.set()
        else:
            self._exit_now.clear()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        ticks = 0
        while not await self.on_tick(ticks):
            ticks = (ticks + 10) % 864000  # uvicorn refreshes its headers every tenth tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit_now.wait(), timeout=1.0)


async def serve(
    runtime: Runtime,
    *,
    on_ready: Callable[[], None] | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run HTTP, the Telegram channel, the dialogue and the sender until SIGTERM or SIGINT.

    On the signal: stop taking updates, let HTTP finish its requests, finish the sends in
    flight, and return.
    """
    settings = runtime.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    await upgrade(runtime.database)
    await runtime.router.refresh()  # before the first message, so it can be routed
    await runtime.knowledge_reload.refresh()  # officials' saved articles, before it too
    if not runtime.router.teams:
        log.warning(
            "No team exists: residents who ask for a person would reach nobody, so they are "
            "given the city's contact details instead (add a team in the admin API)."
        )
    if runtime.ahjo is None:
        log.warning(
            "No TALKKARI_AHJO_URL: only the local registry answers cases; residents asking "
            "about other cases are pointed to the city's decision search."
        )
    if runtime.telegram is None:
        log.warning(
            "No TALKKARI_TELEGRAM_TOKEN: the Telegram channel is off, everything else runs "
            "(talk to the bot with `talkkari chat`)."
        )
    server = _Server(
        uvicorn.Config(
            runtime.http,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # Open event streams would otherwise hold a graceful stop until their clients leave.
            timeout_graceful_shutdown=int(SHUTDOWN_GRACE_SECONDS),
        )
    )
    workers = [
        *(
            [asyncio.create_task(runtime.listener.run(stop), name="listener")]
            if runtime.listener
            else []
        ),
        asyncio.create_task(runtime.intake.run(stop), name="intake"),
        asyncio.create_task(runtime.sender.run(stop), name="sender"),
        asyncio.create_task(runtime.watcher.run(stop), name="case watcher"),
        asyncio.create_task(runtime.notices.run(stop), name="notice dispatcher"),
        asyncio.create_task(runtime.router.run(stop), name="router"),
        asyncio.create_task(runtime.sla.run(stop), name="sla watch"),
        asyncio.create_task(runtime.knowledge_reload.run(stop), name="knowledge reload"),
        asyncio.create_task(runtime.retention.run(stop), name="retention"),
    ]
    http_task = asyncio.create_task(server.serve(), name="http")
    telegram_task = (
        asyncio.create_task(_run_telegram(runtime.telegram), name="telegram")
        if runtime.telegram
        else None
    )
    while not server.started and not http_task.done():  # noqa: ASYNC110 - uvicorn offers a flag only
        await asyncio.sleep(0.01)
    if http_task.done():
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
        http_task.result()  # raises why the server could not start
    log.info("listening on http://%s:%s", settings.host, settings.port)
    if on_ready:
        on_ready()
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({stopping, http_task, *workers}, return_when=asyncio.FIRST_COMPLETED)
    # Workers end by themselves only when stopped; ending before that means they died.
    died = [] if stop.is_set() else [task for task in (http_task, *workers) if task.done()]
    if died:
        # A worker never ends by itself: stop the whole process so that it is restarted.
        log.error("%s stopped unexpectedly; stopping the process", died[0].get_name())
        stop.set()
    stopping.cancel()
    log.info("stopping: finishing what is in flight")
    if telegram_task:
        telegram_task.cancel()
        await asyncio.gather(telegram_task, return_exceptions=True)
    server.should_exit = True
    await http_task
    _, pending = await asyncio.wait(workers, timeout=SHUTDOWN_GRACE_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    if runtime.telegram:
        with contextlib.suppress(Exception):
            await runtime.telegram.stop()
    if runtime.ahjo:
        await runtime.ahjo.aclose()
    await runtime.database.dispose()
    for signum in signals:
        loop.remove_signal_handler(signum)
    log.info("stopped")
    if died:
        raise RuntimeError(f"{died[0].get_name()} stopped unexpectedly")


async def _run_telegram(channel: TelegramChannel) -> None:
    """Meet the Bot API (retrying while it cannot be reached), then poll unless on a webhook."""
    pause = 1.0
    while True:
        try:
            await channel.start()
            break
        except InvalidToken:
            log.error("telegram: the token was rejected; the Telegram channel is off")
            return
        except TelegramError as exc:
            log.warning("telegram: cannot reach the Bot API (%s); retrying in %.0f s", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 60.0)
    if not channel.is_webhook:
        await channel.poll()
