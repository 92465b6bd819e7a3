"""Texts of the conversation itself: greeting, help, not understanding, limits."""

from __future__ import annotations

from typing import Final

__all__ = ["CONVERSATION"]

CONVERSATION: Final[dict[str, dict[str, str]]] = {
    "greet": {
        "fi": "Hei! Olen Kaupunkitalkkari, kaupungin botti. Miten voin auttaa?",
        "sv": "Hej! Jag är Stadsvaktmästaren, stadens bot. Hur kan jag hjälpa dig?",
        "en": "Hello! I am the City Caretaker, the city's bot. How can I help?",
    },
    "help": {
        "fi": (
            "Olen kaupungin botti. Voin kertoa, missä vaiheessa kaupungin asia on "
            "diaarinumerolla (esim. HEL 2025-001216), ja kertoa, kun seuraamasi asia etenee "
            '(/seuratut). Voit tilata alueesi tiedotteet (esim. "tilaa Kallion tiedotteet", '
            "/alueet) ja pyytää ihmistä vastaamaan; kerron, kuka asiaasi hoitaa ja milloin. "
            "Vastaan myös kysymyksiin kaupungin palveluista. Kun viesti siirtyy virkailijalle, "
            "hän voi lukea keskustelun. Kirjoita suomeksi, på svenska tai in English.\n\n"
            "Tietosuoja: /privacy kertoo, mitä tallennan, /mydata lähettää tietosi ja /forget "
            "poistaa ne. Kaupungin tietosuoja: {notice}"
        ),
        "sv": (
            "Jag är stadens bot. Jag kan berätta hur ett ärende hos staden framskrider med "
            "diarienumret (t.ex. HEL 2025-001216) och meddela när ett ärende du följer går "
            "framåt (/foljer). Du kan prenumerera på meddelanden för ditt område (t.ex. "
            '"prenumerera på Berghäll", /omraden) och be att en människa svarar; jag berättar '
            "vem som sköter ditt ärende och när. Jag svarar också på frågor om stadens tjänster. "
            "När meddelandet skickas vidare kan tjänsteinnehavaren läsa samtalet. Skriv på "
            "svenska, suomeksi eller in English.\n\n"
            "Dataskydd: /privacy berättar vad jag sparar, /mydata skickar dina uppgifter och "
            "/forget raderar dem. Stadens dataskydd: {notice}"
        ),
        "en": (
            "I am the city's bot. I can tell you where a municipal case stands by its diary "
            "number (e.g. HEL 2025-001216) and let you know when a case you follow moves "
            '(/following). You can subscribe to notices for your area (e.g. "subscribe to '
            'Kallio", /areas) and ask for a person to answer; I tell you who handles it and by '
            "when. I also answer questions about city services. When a message is passed on, "
            "the official can read the conversation. Write in English, suomeksi or på "
            "svenska.\n\n"
            "Privacy: /privacy tells what I store, /mydata sends you your data and /forget "
            "deletes it. The city's data protection: {notice}"
        ),
    },
    "not_understood": {
        "fi": (
            "En valitettavasti ymmärtänyt. Voit muotoilla viestin toisin, kirjoittaa "
            '"apua" nähdäksesi, mitä osaan, tai pyytää ihmistä vastaamaan.'
        ),
        "sv": (
            'Tyvärr förstod jag inte. Du kan formulera om meddelandet, skriva "hjälp" för '
            "att se vad jag kan, eller be att en människa svarar."
        ),
        "en": (
            'Sorry, I did not understand. You can rephrase, write "help" to see what I '
            "can do, or ask for a person to answer."
        ),
    },
    "button_stale": {
        "fi": "Tämä painike ei ole enää käytössä. Kirjoita, mitä tarvitset, niin autan.",
        "sv": "Den här knappen används inte längre. Skriv vad du behöver så hjälper jag.",
        "en": "This button no longer works. Write what you need and I will help.",
    },
    "only_text": {
        "fi": "Osaan lukea vain tekstiä. Kirjoita asiasi viestiksi, niin autan.",
        "sv": "Jag kan bara läsa text. Skriv ditt ärende som ett meddelande så hjälper jag.",
        "en": "I can only read text. Write your question as a message and I will help.",
    },
    "flooding": {
        "fi": (
            "Lähetät viestejä nopeammin kuin ehdin vastata. Käyn ne kaikki läpi järjestyksessä, "
            "vähän hitaammin."
        ),
        "sv": (
            "Du skickar meddelanden snabbare än jag hinner svara. Jag går igenom dem alla i "
            "tur och ordning, lite långsammare."
        ),
        "en": (
            "You are sending messages faster than I can answer. I will go through them all in "
            "order, a little more slowly."
        ),
    },
    "goodbye": {
        "fi": "Kiitos viestistäsi, mukavaa päivänjatkoa! Kirjoita milloin vain uudelleen.",
        "sv": "Tack för ditt meddelande, ha en fin dag! Skriv igen när du vill.",
        "en": "Thank you for your message, have a nice day! Write again any time.",
    },
    "thanks": {
        "fi": "Ole hyvä! Kerro, jos voin auttaa vielä jossain.",
        "sv": "Varsågod! Säg till om jag kan hjälpa till med något mer.",
        "en": "You're welcome! Tell me if there is anything else I can help with.",
    },
    "language_changed": {
        "fi": "Selvä, jatketaan suomeksi.",
        "sv": "Okej, vi fortsätter på svenska.",
        "en": "Sure, let's continue in English.",
    },
    "which_language": {
        "fi": "Millä kielellä jatketaan?",
        "sv": "På vilket språk vill du fortsätta?",
        "en": "Which language would you like to continue in?",
    },
    "command_start": {
        "fi": "Aloita ja kuule, mitä botti osaa",
        "sv": "Börja och se vad boten kan",
        "en": "Start and see what the bot can do",
    },
    "command_help": {
        "fi": "Mitä voin kysyä?",
        "sv": "Vad kan jag fråga?",
        "en": "What can I ask?",
    },
    "something_went_wrong": {
        # Who answers, and by when, follows when a team can take the conversation; nothing
        # here may promise an answer that nobody is there to give.
        "fi": "Jokin meni vikaan meidän päässämme. Viestisi on tallessa.",
        "sv": "Något gick fel hos oss. Ditt meddelande är sparat.",
        "en": "Something went wrong on our side. Your message is saved.",
    },
}
