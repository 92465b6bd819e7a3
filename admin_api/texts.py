"""What the admin API tells officials, in Finnish, Swedish and English.

A refusal names its reason as a value, ``Text("team_not_found")`` or
``Text("team_key_taken", key=key)``: a key of :data:`CATALOGUE` and the parameters its
``{fields}`` need. It is rendered only when answered, in the caller's language
(:func:`render`); the key is the problem's stable ``code`` and the parameters its ``params``,
so a front end may word it itself. :data:`TITLES` are the problems' titles by HTTP status.

:data:`CATALOGUE` is the admin API's own :data:`TEXTS` and the handoff state machine's
:data:`routing.errors.REFUSALS` (routing cannot import this package, so it keeps its own).
Every key has all three languages with the same parameters; the tests walk it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final, Literal

from routing.errors import REFUSALS

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TEXTS",
    "TITLES",
    "Language",
    "Text",
    "fields_of",
    "render",
    "title",
]

Language = Literal["fi", "sv", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final[Language] = "fi"
"""Finnish, the language most of the city's staff and residents speak (and the bot's default
too): what a caller gets who states no language the API speaks."""

Param = str | int


@dataclass(frozen=True, slots=True, init=False)
class Text:
    """A text for officials: ``key`` of :data:`CATALOGUE` and the values of its fields."""

    key: str
    params: Mapping[str, Param]

    def __init__(self, key: str, /, **params: Param) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items()))))


TEXTS: Final[Mapping[str, Mapping[str, str]]] = {
    # Logging in and the caller.
    "token_required": {
        "fi": "Pyyntöön tarvitaan voimassa oleva kirjautumistunniste (bearer token).",
        "sv": "Begäran behöver en giltig inloggningstoken (bearer token).",
        "en": "A valid bearer token is required.",
    },
    "token_invalid": {
        "fi": "Kirjautumistunniste ei kelpaa tai on vanhentunut. Kirjaudu uudelleen.",
        "sv": "Inloggningstoken är ogiltig eller har gått ut. Logga in på nytt.",
        "en": "The token is not valid or has expired. Log in again.",
    },
    "login_wrong": {
        "fi": "Sähköpostiosoite tai salasana on väärin.",
        "sv": "E-postadressen eller lösenordet är fel.",
        "en": "The e-mail address or the password is wrong.",
    },
    "login_throttled": {
        "fi": "Liian monta epäonnistunutta kirjautumista. Yritä myöhemmin uudelleen.",
        "sv": "För många misslyckade inloggningar. Försök igen senare.",
        "en": "Too many failed logins; try again later.",
    },
    "refresh_invalid": {
        "fi": "Istunnon jatkotunniste ei kelpaa, se on jo käytetty tai istunto on päättynyt. "
        "Kirjaudu uudelleen.",
        "sv": "Förnyelsetoken är ogiltig, redan använd eller så har sessionen avslutats. "
        "Logga in på nytt.",
        "en": "The refresh token is not valid, was used already, or the session has ended. "
        "Log in again.",
    },
    "password_current_wrong": {
        "fi": "Nykyinen salasana on väärin.",
        "sv": "Det nuvarande lösenordet är fel.",
        "en": "The current password is wrong.",
    },
    "password_unchanged": {
        "fi": "Uuden salasanan täytyy olla eri kuin nykyinen.",
        "sv": "Det nya lösenordet måste skilja sig från det nuvarande.",
        "en": "The new password must differ from the current one.",
    },
    "password_monotonous": {
        "fi": "Uudessa salasanassa täytyy olla vähintään {count} eri merkkiä.",
        "sv": "Det nya lösenordet måste ha minst {count} olika tecken.",
        "en": "The new password needs at least {count} different characters.",
    },
    "password_like_email": {
        "fi": "Uusi salasana ei saa sisältää sähköpostiosoitteesi nimiosaa.",
        "sv": "Det nya lösenordet får inte innehålla namndelen av din e-postadress.",
        "en": "The new password may not contain the name part of your e-mail address.",
    },
    "role_forbidden": {
        "fi": "Roolisi ei salli tätä toimintoa.",
        "sv": "Din roll tillåter inte den här åtgärden.",
        "en": "Your role may not do this.",
    },
    # Parts of the service a process may lack.
    "admin_api_unavailable": {
        "fi": "Hallintarajapinta ei ole käytössä tässä prosessissa.",
        "sv": "Administrationsgränssnittet är inte i bruk i den här processen.",
        "en": "The admin API is not configured in this process.",
    },
    "areas_unavailable": {
        "fi": "Alueluettelo ei ole käytössä tässä prosessissa.",
        "sv": "Områdesregistret är inte i bruk i den här processen.",
        "en": "The area registry is not configured in this process.",
    },
    "explain_unavailable": {
        "fi": "Ohjauksen selitykset eivät ole käytössä tässä prosessissa.",
        "sv": "Förklaringar av dirigeringen är inte i bruk i den här processen.",
        "en": "Routing explanations are not available in this process.",
    },
    "articles_unavailable": {
        "fi": "Palveluartikkelit eivät ole käytössä tässä prosessissa.",
        "sv": "Tjänsteartiklarna är inte i bruk i den här processen.",
        "en": "Service articles are not configured in this process.",
    },
    # Teams.
    "team_not_found": {
        "fi": "Tiimiä ei löydy.",
        "sv": "Teamet finns inte.",
        "en": "No such team.",
    },
    "team_key_taken": {
        "fi": "Tiimi, jonka tunnus on ”{key}”, on jo olemassa.",
        "sv": "Ett team med nyckeln ”{key}” finns redan.",
        "en": "A team with the key '{key}' exists already.",
    },
    "team_own_fallback": {
        "fi": "Tiimi ei voi olla oma varatiiminsä.",
        "sv": "Ett team kan inte vara sitt eget reservteam.",
        "en": "A team cannot be its own fallback.",
    },
    "fallback_team_not_found": {
        "fi": "Varatiimiä ei löydy.",
        "sv": "Reservteamet finns inte.",
        "en": "The fallback team does not exist.",
    },
    "team_in_use": {
        "fi": "Tiimiä ei voi poistaa, koska se on käytössä (ohjaussääntöjä: {rules}, tiimejä, "
        "joiden varatiimi se on: {fallbacks}, avoimia keskusteluja: {conversations}). Ota se "
        "sen sijaan pois käytöstä.",
        "sv": "Teamet kan inte raderas eftersom det används (dirigeringsregler: {rules}, team "
        "som har det som reservteam: {fallbacks}, öppna samtal: {conversations}). Ta det ur "
        "bruk i stället.",
        "en": "The team is in use (routing rules: {rules}, fallback of other teams: "
        "{fallbacks}, open conversations: {conversations}); deactivate it instead.",
    },
    # Officials.
    "official_not_found": {
        "fi": "Virkailijaa ei löydy.",
        "sv": "Tjänsteinnehavaren finns inte.",
        "en": "No such official.",
    },
    "official_email_taken": {
        "fi": "Tällä sähköpostiosoitteella on jo virkailijan tili.",
        "sv": "Det finns redan en tjänsteinnehavare med den här e-postadressen.",
        "en": "An official with this e-mail address exists already.",
    },
    "teams_not_found": {
        "fi": "Näitä tiimejä ei löydy: {teams}.",
        "sv": "De här teamen finns inte: {teams}.",
        "en": "No such teams: {teams}.",
    },
    "last_admin": {
        "fi": "Tämä on viimeinen aktiivinen ylläpitäjä. Tee ensin joku toinen ylläpitäjäksi.",
        "sv": "Det här är den sista aktiva administratören. Gör först någon annan till "
        "administratör.",
        "en": "This is the last active admin; make another admin first.",
    },
    # Routing rules.
    "rule_not_found": {
        "fi": "Ohjaussääntöä ei löydy.",
        "sv": "Dirigeringsregeln finns inte.",
        "en": "No such routing rule.",
    },
    # Cases.
    "case_not_found": {
        "fi": "Asiaa ei ole rekisterissä.",
        "sv": "Ärendet finns inte i registret.",
        "en": "No such case in the registry.",
    },
    "diary_number_invalid": {
        "fi": "Tämä ei ole Helsingin diaarinumero (muotoa HEL 2025-001216).",
        "sv": "Det här är inte ett diarienummer i Helsingfors (i formen HEL 2025-001216).",
        "en": "Not a Helsinki diary number like HEL 2025-001216.",
    },
    # Area notices.
    "notice_not_found": {
        "fi": "Tiedotetta ei löydy.",
        "sv": "Meddelandet finns inte.",
        "en": "No such notice.",
    },
    "notice_scheduled": {
        "fi": "Tiedote on jo ajastettu.",
        "sv": "Meddelandet är redan schemalagt.",
        "en": "The notice is scheduled already.",
    },
    "notice_sending": {
        "fi": "Tiedotetta lähetetään parhaillaan.",
        "sv": "Meddelandet håller på att skickas.",
        "en": "The notice is being sent.",
    },
    "notice_sent": {
        "fi": "Tiedote on jo lähetetty.",
        "sv": "Meddelandet har redan skickats.",
        "en": "The notice has been sent already.",
    },
    "notice_cancelled": {
        "fi": "Tiedote on peruttu.",
        "sv": "Meddelandet har annullerats.",
        "en": "The notice has been cancelled.",
    },
    "notice_state": {
        "fi": "Tiedotteen tila ({state}) ei salli tätä.",
        "sv": "Meddelandets status ({state}) tillåter inte detta.",
        "en": "The notice's state ({state}) does not allow this.",
    },
    "area_unknown": {
        "fi": "Aluetta ”{area}” ei tunneta.",
        "sv": "Området ”{area}” är okänt.",
        "en": "Unknown area: '{area}'.",
    },
    "notice_ends_before_start": {
        "fi": "Päättymisajan (expires_at) on oltava julkaisuajan (publish_at) jälkeen.",
        "sv": "Sluttiden (expires_at) måste vara efter publiceringstiden (publish_at).",
        "en": "expires_at must be after publish_at.",
    },
    "notice_text_missing": {
        "fi": "Tiedotteelle tarvitaan teksti kaikilla vaadituilla kielillä ennen ajastamista "
        "(puuttuu: {languages}).",
        "sv": "Meddelandet behöver en text på alla språk som krävs innan det schemaläggs "
        "(saknas: {languages}).",
        "en": "The notice needs a text in {languages} before it is scheduled.",
    },
    "notice_areas_missing": {
        "fi": "Tiedotteelle tarvitaan vähintään yksi alue.",
        "sv": "Meddelandet behöver minst ett område.",
        "en": "The notice needs at least one area.",
    },
    "notice_publish_at_missing": {
        "fi": "Tiedotteelle tarvitaan julkaisuaika (publish_at).",
        "sv": "Meddelandet behöver en publiceringstid (publish_at).",
        "en": "The notice needs publish_at.",
    },
    "notice_expired": {
        "fi": "Tiedotteen päättymisaika (expires_at) on jo mennyt.",
        "sv": "Meddelandets sluttid (expires_at) har redan passerat.",
        "en": "expires_at has passed.",
    },
    "notice_too_long": {
        "fi": "Tiedotteen teksti ({language}) on pidempi kuin yksi viesti ({limit} merkkiä).",
        "sv": "Meddelandets text ({language}) är längre än ett meddelande ({limit} tecken).",
        "en": "The {language} notice is longer than one message ({limit} characters).",
    },
    # Service articles.
    "article_not_found": {
        "fi": "Artikkelia ei löydy.",
        "sv": "Artikeln finns inte.",
        "en": "No such article.",
    },
    "article_version_not_found": {
        "fi": "Artikkelin versiota ei löydy.",
        "sv": "Artikelversionen finns inte.",
        "en": "No such article version.",
    },
    "article_version_invalid": {
        "fi": "Versio {version} ei ole enää kelvollinen artikkeli. Muokkaa tekstiä sen sijaan.",
        "sv": "Version {version} är inte längre en giltig artikel. Redigera texten i stället.",
        "en": "Version {version} is not a valid article any more; edit the text instead.",
    },
    "article_retired": {
        "fi": "Artikkeli on jo poistettu käytöstä.",
        "sv": "Artikeln är redan tagen ur bruk.",
        "en": "The article is retired already.",
    },
    "article_invalid": {
        "fi": "Teksti ei ole kelvollinen artikkeli: {problem}",
        "sv": "Texten är inte en giltig artikel: {problem}",
        "en": "The text is not a valid article: {problem}",
    },
    "article_id_too_long": {
        "fi": "Artikkelin tunnus (id) on yli {limit} merkkiä pitkä.",
        "sv": "Artikelns id är längre än {limit} tecken.",
        "en": "id: at most {limit} characters.",
    },
    "article_id_differs": {
        "fi": "Tekstissä oleva tunnus ”{found}” eroaa artikkelin tunnuksesta ”{article}”.",
        "sv": "Id:t ”{found}” i texten skiljer sig från artikelns id ”{article}”.",
        "en": "id: '{found}' in the text differs from the article's id '{article}'.",
    },
    "article_forbidden": {
        "fi": "Vain artikkelin omistajatiimi ja ylläpitäjät voivat muuttaa sitä.",
        "sv": "Bara artikelns ägarteam och administratörer kan ändra den.",
        "en": "Only the article's owner team and admins may change it.",
    },
    "article_owner_unknown": {
        "fi": "Omistajatiimiä (owner_team) ”{key}” ei löydy.",
        "sv": "Ägarteamet (owner_team) ”{key}” finns inte.",
        "en": "owner_team: no team has the key '{key}'.",
    },
    "article_stale": {
        "fi": "Artikkeli on muuttunut: uusin versio on {newest}, ei {base}. Lue se uudelleen "
        "ja tee muutos sitten.",
        "sv": "Artikeln har ändrats: den nyaste versionen är {newest}, inte {base}. Läs den på "
        "nytt och gör sedan ändringen.",
        "en": "The article has changed: version {newest} is the newest, not {base}. Read it "
        "again and redo the change.",
    },
    "article_changed_meanwhile": {
        "fi": "Artikkelia muutettiin samaan aikaan. Lue se uudelleen ja tee muutos sitten.",
        "sv": "Artikeln ändrades samtidigt. Läs den på nytt och gör sedan ändringen.",
        "en": "The article was changed at the same time. Read it again and redo the change.",
    },
    "article_exists": {
        "fi": "Artikkeli ”{article}” on jo olemassa.",
        "sv": "Artikeln ”{article}” finns redan.",
        "en": "The article '{article}' exists already.",
    },
    # Listings.
    "cursor_invalid": {
        "fi": "Sivutuksen jatkokohta (cursor) ei ole tämän listauksen antama.",
        "sv": "Pagineringsmarkören (cursor) kommer inte från den här listningen.",
        "en": "The cursor is not one this listing gave.",
    },
    # The request itself.
    "request_invalid": {
        "fi": "Pyynnön tiedot eivät kelpaa. Kohdat on lueteltu errors-kentässä.",
        "sv": "Uppgifterna i begäran är inte giltiga. Fälten anges i errors.",
        "en": "The request's data is not valid. The fields are listed in errors.",
    },
    "request_unreadable": {
        "fi": "Pyynnön sisältöä ei voitu lukea.",
        "sv": "Begärans innehåll kunde inte läsas.",
        "en": "The request's body could not be read.",
    },
    "path_not_found": {
        "fi": "Rajapinnassa ei ole tätä polkua.",
        "sv": "Gränssnittet har inte den här sökvägen.",
        "en": "The API has no such path.",
    },
    "method_not_allowed": {
        "fi": "Tämä polku ei salli metodia {method}.",
        "sv": "Den här sökvägen tillåter inte metoden {method}.",
        "en": "This path does not allow the method {method}.",
    },
    "internal_error": {
        "fi": "Palvelussa tapahtui virhe. Yritä myöhemmin uudelleen.",
        "sv": "Ett fel uppstod i tjänsten. Försök igen senare.",
        "en": "Something went wrong on our side. Try again later.",
    },
}
"""The admin API's own texts, by key and language."""

CATALOGUE: Final[Mapping[str, Mapping[str, str]]] = {**REFUSALS, **TEXTS}
"""Every text a problem's detail may be: :data:`TEXTS` and the state machine's refusals."""

_TITLES: Final[Mapping[int, tuple[str, str]]] = {
    400: ("Virheellinen pyyntö", "Felaktig begäran"),
    401: ("Kirjautuminen vaaditaan", "Inloggning krävs"),
    403: ("Ei oikeutta", "Ingen behörighet"),
    404: ("Ei löydy", "Hittades inte"),
    405: ("Metodi ei ole sallittu", "Metoden är inte tillåten"),
    409: ("Ristiriita", "Konflikt"),
    413: ("Pyyntö on liian suuri", "Begäran är för stor"),
    415: ("Sisältötyyppiä ei tueta", "Innehållstypen stöds inte"),
    422: ("Tietoja ei voi käsitellä", "Uppgifterna kan inte behandlas"),
    429: ("Liian monta yritystä", "För många försök"),
    500: ("Palvelussa tapahtui virhe", "Ett fel uppstod i tjänsten"),
    503: ("Palvelu ei ole käytettävissä", "Tjänsten är inte tillgänglig"),
}

TITLES: Final[Mapping[int, Mapping[Language, str]]] = {
    status: {"fi": fi, "sv": sv, "en": HTTPStatus(status).phrase}
    for status, (fi, sv) in _TITLES.items()
}
"""Problem titles by status; the English one is the status's reason phrase, as before."""


def render(text: Text, language: Language) -> str:
    """``text`` in ``language``. A key missing from :data:`CATALOGUE`, or a parameter missing
    from ``text``, is a ``KeyError``: a bug the tests find (they walk every raise site)."""
    return CATALOGUE[text.key][language].format(**text.params)


def title(status: int, language: Language) -> str:
    """The title of a problem with ``status``; the reason phrase for a status no route
    answers with (no such title has been written)."""
    titles = TITLES.get(status)
    return titles[language] if titles is not None else HTTPStatus(status).phrase


def fields_of(template: str) -> frozenset[str]:
    """The ``{fields}`` of a catalogue template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
