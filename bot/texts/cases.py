"""Texts about cases: their state, following them, and what Ahjo's Finnish words mean.

Ahjo names statuses, phases, sectors and record types in Finnish only; the ``status_*``,
``phase_*``, ``sector_*`` and ``record_*`` entries say them in each language (a word Ahjo uses
that is not here is shown as Ahjo wrote it).
"""

from __future__ import annotations

from typing import Final

__all__ = ["CASES", "PHASE_KEYS", "RECORD_KEYS", "STATUS_KEYS"]

STATUS_KEYS: Final = {
    "Vireillä": "status_pending",
    "Ratkaistu": "status_resolved",
    "Päätetty": "status_decided",
    "Arkistoitu": "status_archived",
}
PHASE_KEYS: Final = {
    "Valmistelussa": "phase_preparation",
    "Päätöksenteossa": "phase_decision_making",
    "Päättynyt": "phase_ended",
    "Lausunto valmis": "phase_statement_ready",
    "Lausunnon päätöksenteossa": "phase_statement_decision",
    "Pöytäkirja nähtävänä": "phase_minutes_on_display",
    "Käsitelty": "phase_handled",
}
RECORD_KEYS: Final = {
    "päätös": "record_decision",
    "viranhaltijan päätös": "record_official_decision",
    "luottamushenkilön päätös": "record_trustee_decision",
    "esitys": "record_proposal",
    "lausunto": "record_statement",
    "liite": "record_attachment",
    "aloite": "record_motion",
}

CASES: Final[dict[str, dict[str, str]]] = {
    "case_heading": {
        "fi": "Asia {number}: {title}",
        "sv": "Ärende {number}: {title}",
        "en": "Case {number}: {title}",
    },
    "case_untitled": {
        "fi": "(ei julkista otsikkoa)",
        "sv": "(ingen offentlig rubrik)",
        "en": "(no public title)",
    },
    "case_status_line": {
        "fi": "Tila: {status}.",
        "sv": "Ärendets status: {status}.",
        "en": "Status: {status}.",
    },
    "case_phase_line": {
        "fi": "Käsittelyvaihe: {phase} – {sector}.",
        "sv": "Skede: {phase} – {sector}.",
        "en": "Stage: {phase} – {sector}.",
    },
    "case_phase_line_no_sector": {
        "fi": "Käsittelyvaihe: {phase}.",
        "sv": "Skede: {phase}.",
        "en": "Stage: {phase}.",
    },
    "case_latest_record": {
        "fi": "Viimeisin asiakirja: {kind}, {date}: {url}",
        "sv": "Senaste handling: {kind}, {date}: {url}",
        "en": "Latest document: {kind}, {date}: {url}",
    },
    "case_note": {
        "fi": "Kaupungin tiedote: {note}",
        "sv": "Stadens meddelande: {note}",
        "en": "Note from the city: {note}",
    },
    "case_link": {
        "fi": "Lisätietoja: {url}",
        "sv": "Mer information: {url}",
        "en": "More information: {url}",
    },
    "case_stale": {
        "fi": "(Tieto on ajalta {time}: päätösjärjestelmä ei vastaa juuri nyt.)",
        "sv": "(Uppgiften är från {time}: beslutssystemet svarar inte just nu.)",
        "en": "(This is as of {time}: the decision system is not answering right now.)",
    },
    "case_not_found": {
        "fi": (
            "Numerolla {number} ei löydy julkista asiaa. Tarkista numero: diaarinumero on "
            "muotoa HEL 2025-001216."
        ),
        "sv": (
            "Det finns inget offentligt ärende med numret {number}. Kontrollera numret: ett "
            "diarienummer ser ut så här: HEL 2025-001216."
        ),
        "en": (
            "There is no public case with the number {number}. Please check the number: a "
            "diary number looks like HEL 2025-001216."
        ),
    },
    "case_not_public": {
        "fi": "Asia {number} ei ole julkinen, joten en voi kertoa siitä enempää.",
        "sv": "Ärendet {number} är inte offentligt, så jag kan inte berätta mer om det.",
        "en": "The case {number} is not public, so I cannot tell you more about it.",
    },
    "case_unavailable": {
        "fi": (
            "Päätösjärjestelmä ei vastaa juuri nyt, joten en saa asian {number} tietoja. "
            "Yritä hetken päästä uudelleen."
        ),
        "sv": (
            "Beslutssystemet svarar inte just nu, så jag får inte fram uppgifterna om "
            "ärendet {number}. Försök igen om en stund."
        ),
        "en": (
            "The decision system is not answering right now, so I cannot get the details of "
            "the case {number}. Please try again in a moment."
        ),
    },
    # No decision system is configured: the city's own decision search, from the service
    # reference data (topic ``decisions_and_diary_numbers``).
    "case_not_searchable": {
        "fi": (
            "Tämä palvelu ei voi hakea asiaa {number}: se ei ole tänne kirjattujen asioiden "
            "joukossa, eikä palvelua ole yhdistetty kaupungin päätösjärjestelmään. Asiaa voi "
            "etsiä kaupungin päätöshausta: https://paatokset.hel.fi/fi/asia"
        ),
        "sv": (
            "Den här tjänsten kan inte söka fram ärendet {number}: det finns inte bland de "
            "ärenden som registrerats här, och tjänsten är inte kopplad till stadens "
            "beslutssystem. Du kan söka ärendet i stadens beslutssökning: "
            "https://paatokset.hel.fi/sv/arende"
        ),
        "en": (
            "This service cannot look up the case {number}: it is not among the cases "
            "registered here, and the service is not connected to the city's decision system. "
            "You can search for it in the city's decision search: "
            "https://paatokset.hel.fi/en/case"
        ),
    },
    "case_ask_number": {
        "fi": (
            "Minkä asian tilanteen haluat tietää? Kirjoita asian diaarinumero, esimerkiksi "
            "HEL 2025-001216."
        ),
        "sv": (
            "Vilket ärende vill du veta mer om? Skriv ärendets diarienummer, till exempel "
            "HEL 2025-001216."
        ),
        "en": (
            "Which case would you like to know about? Write its diary number, for example "
            "HEL 2025-001216."
        ),
    },
    "case_malformed": {
        "fi": (
            "Tuo ei näytä Helsingin diaarinumerolta. Diaarinumero on muotoa HEL, vuosi ja "
            "kuusinumeroinen numero, esimerkiksi HEL 2025-001216."
        ),
        "sv": (
            "Det där ser inte ut som ett diarienummer i Helsingfors. Ett diarienummer består "
            "av HEL, året och ett sexsiffrigt nummer, till exempel HEL 2025-001216."
        ),
        "en": (
            "That does not look like a Helsinki diary number. A diary number is HEL, the year "
            "and a six-digit number, for example HEL 2025-001216."
        ),
    },
    "case_too_many": {
        "fi": "Kerron kerralla enintään {limit} asiasta, tässä ensimmäiset.",
        "sv": "Jag berättar om högst {limit} ärenden åt gången, här är de första.",
        "en": "I tell about at most {limit} cases at a time; here are the first ones.",
    },
    "follow_ask_number": {
        "fi": (
            "Mitä asiaa haluat seurata? Kirjoita asian diaarinumero, esimerkiksi "
            "HEL 2025-001216, niin kerron, kun asia etenee."
        ),
        "sv": (
            "Vilket ärende vill du följa? Skriv ärendets diarienummer, till exempel "
            "HEL 2025-001216, så berättar jag när det går framåt."
        ),
        "en": (
            "Which case would you like to follow? Write its diary number, for example "
            "HEL 2025-001216, and I will tell you when it moves."
        ),
    },
    "follow_started": {
        "fi": "Seuraat nyt asiaa {number}. Kerron tässä keskustelussa, kun asia etenee.",
        "sv": "Du följer nu ärendet {number}. Jag berättar här när ärendet går framåt.",
        "en": "You are now following the case {number}. I will tell you here when it moves.",
    },
    "follow_started_unchecked": {
        "fi": (
            "Seuraat nyt asiaa {number}. Päätösjärjestelmä ei vastaa juuri nyt, joten en "
            "voinut tarkistaa asiaa; kerron, kun se etenee."
        ),
        "sv": (
            "Du följer nu ärendet {number}. Beslutssystemet svarar inte just nu, så jag "
            "kunde inte kontrollera ärendet; jag berättar när det går framåt."
        ),
        "en": (
            "You are now following the case {number}. The decision system is not answering "
            "right now, so I could not check the case; I will tell you when it moves."
        ),
    },
    "follow_already": {
        "fi": "Seuraat jo asiaa {number}.",
        "sv": "Du följer redan ärendet {number}.",
        "en": "You are already following the case {number}.",
    },
    "follow_not_found": {
        "fi": (
            "Numerolla {number} ei löydy julkista asiaa, joten sitä ei voi seurata. Tarkista "
            "numero: diaarinumero on muotoa HEL 2025-001216."
        ),
        "sv": (
            "Det finns inget offentligt ärende med numret {number}, så det går inte att "
            "följa. Kontrollera numret: ett diarienummer ser ut så här: HEL 2025-001216."
        ),
        "en": (
            "There is no public case with the number {number}, so it cannot be followed. "
            "Please check the number: a diary number looks like HEL 2025-001216."
        ),
    },
    "follow_not_public": {
        "fi": "Asia {number} ei ole julkinen, joten sitä ei voi seurata.",
        "sv": "Ärendet {number} är inte offentligt, så det går inte att följa.",
        "en": "The case {number} is not public, so it cannot be followed.",
    },
    "follow_limit": {
        "fi": (
            "Voit seurata enintään {limit} asiaa kerrallaan. Lopeta ensin jonkin asian "
            "seuraaminen (/seuratut näyttää ne)."
        ),
        "sv": (
            "Du kan följa högst {limit} ärenden åt gången. Sluta först följa något ärende "
            "(/foljer visar dem)."
        ),
        "en": (
            "You can follow at most {limit} cases at a time. Stop following one first "
            "(/following lists them)."
        ),
    },
    "unfollow_done": {
        "fi": "Et enää seuraa asiaa {number}.",
        "sv": "Du följer inte längre ärendet {number}.",
        "en": "You no longer follow the case {number}.",
    },
    "unfollow_not_following": {
        "fi": "Et seuraa asiaa {number}.",
        "sv": "Du följer inte ärendet {number}.",
        "en": "You are not following the case {number}.",
    },
    "unfollow_which": {
        "fi": "Minkä asian seuraamisen haluat lopettaa?",
        "sv": "Vilket ärende vill du sluta följa?",
        "en": "Which case would you like to stop following?",
    },
    "following_list": {
        "fi": "Seuraat näitä asioita:\n{cases}",
        "sv": "Du följer dessa ärenden:\n{cases}",
        "en": "You are following these cases:\n{cases}",
    },
    "following_none": {
        "fi": (
            "Et seuraa vielä yhtään asiaa. Voit aloittaa kirjoittamalla esimerkiksi "
            '"seuraa HEL 2025-001216".'
        ),
        "sv": (
            'Du följer inga ärenden ännu. Du kan börja genom att skriva till exempel "följ '
            'HEL 2025-001216".'
        ),
        "en": (
            'You are not following any cases yet. You can start by writing for example "follow '
            'HEL 2025-001216".'
        ),
    },
    "button_follow": {
        "fi": "Seuraa asiaa {number}",
        "sv": "Följ ärendet {number}",
        "en": "Follow the case {number}",
    },
    "button_unfollow": {
        "fi": "Lopeta asian {number} seuraaminen",
        "sv": "Sluta följa ärendet {number}",
        "en": "Stop following the case {number}",
    },
    "case_moved": {
        "fi": "Seuraamasi asia {number} on edennyt: {title}",
        "sv": "Ärendet {number} som du följer har gått framåt: {title}",
        "en": "The case {number} you follow has moved: {title}",
    },
    "moved_status": {
        "fi": "Tila on nyt: {status}.",
        "sv": "Status är nu: {status}.",
        "en": "The status is now: {status}.",
    },
    "moved_phase": {
        "fi": "Uusi käsittelyvaihe: {phase}.",
        "sv": "Nytt skede: {phase}.",
        "en": "New stage: {phase}.",
    },
    "moved_record": {
        "fi": "Uusi asiakirja: {kind}, {date}: {url}",
        "sv": "Ny handling: {kind}, {date}: {url}",
        "en": "New document: {kind}, {date}: {url}",
    },
    "moved_details": {
        "fi": "Asian tiedot ovat päivittyneet.",
        "sv": "Uppgifterna om ärendet har uppdaterats.",
        "en": "The details of the case have been updated.",
    },
    "undated": {"fi": "ei päivämäärää", "sv": "utan datum", "en": "undated"},
    "status_pending": {
        "fi": "vireillä (käsittely on kesken)",
        "sv": "anhängigt (behandlingen pågår)",
        "en": "pending (being handled)",
    },
    "status_resolved": {"fi": "ratkaistu", "sv": "avgjort", "en": "resolved"},
    "status_decided": {"fi": "päätetty", "sv": "beslutat", "en": "decided"},
    "status_archived": {"fi": "arkistoitu", "sv": "arkiverat", "en": "archived"},
    "phase_preparation": {"fi": "valmistelussa", "sv": "under beredning", "en": "in preparation"},
    "phase_decision_making": {
        "fi": "päätöksenteossa",
        "sv": "i beslutsfattandet",
        "en": "in decision-making",
    },
    "phase_ended": {"fi": "päättynyt", "sv": "avslutat", "en": "completed"},
    "phase_statement_ready": {
        "fi": "lausunto valmis",
        "sv": "utlåtandet klart",
        "en": "statement ready",
    },
    "phase_statement_decision": {
        "fi": "lausunnon päätöksenteossa",
        "sv": "utlåtandet i beslutsfattandet",
        "en": "statement in decision-making",
    },
    "phase_minutes_on_display": {
        "fi": "pöytäkirja nähtävänä",
        "sv": "protokollet framlagt",
        "en": "minutes on public display",
    },
    "phase_handled": {"fi": "käsitelty", "sv": "behandlat", "en": "handled"},
    "record_decision": {"fi": "päätös", "sv": "beslut", "en": "decision"},
    "record_official_decision": {
        "fi": "viranhaltijan päätös",
        "sv": "tjänsteinnehavarbeslut",
        "en": "decision by an official",
    },
    "record_trustee_decision": {
        "fi": "luottamushenkilön päätös",
        "sv": "förtroendevalds beslut",
        "en": "decision by an elected official",
    },
    "record_proposal": {"fi": "esitys", "sv": "förslag", "en": "proposal"},
    "record_statement": {"fi": "lausunto", "sv": "utlåtande", "en": "statement"},
    "record_attachment": {"fi": "liite", "sv": "bilaga", "en": "attachment"},
    "record_motion": {"fi": "aloite", "sv": "motion", "en": "initiative"},
    "sector_U50": {
        "fi": "Keskushallinto",
        "sv": "Centralförvaltningen",
        "en": "Central Administration",
    },
    "sector_U541000": {
        "fi": "Kaupunkiympäristön toimiala",
        "sv": "Stadsmiljösektorn",
        "en": "Urban Environment Division",
    },
    "sector_U420300": {
        "fi": "Kasvatuksen ja koulutuksen toimiala",
        "sv": "Fostrans- och utbildningssektorn",
        "en": "Education Division",
    },
    "sector_U320200": {
        "fi": "Sosiaali- ja terveystoimiala",
        "sv": "Social- och hälsovårdssektorn",
        "en": "Social Services and Health Care Division",
    },
    "sector_U480400": {
        "fi": "Kulttuurin ja vapaa-ajan toimiala",
        "sv": "Kultur- och fritidssektorn",
        "en": "Culture and Leisure Division",
    },
}
