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
            "Kun viesti siirtyy virkailijalle, hän voi lukea keskustelun. Kirjoita suomeksi, på "
            "svenska tai in English."
        ),
        "sv": (
            "Jag är stadens bot. Jag kan berätta hur ett ärende hos staden framskrider med "
            "diarienumret (t.ex. HEL 2025-001216) och meddela när ett ärende du följer går "
            "framåt (/foljer). Du kan prenumerera på meddelanden för ditt område (t.ex. "
            '"prenumerera på Berghäll", /omraden) och be att en människa svarar; jag berättar '
            "vem som sköter ditt ärende och när. När meddelandet skickas vidare kan "
            "tjänsteinnehavaren läsa samtalet. Skriv på svenska, suomeksi eller in English."
        ),
        "en": (
            "I am the city's bot. I can tell you where a municipal case stands by its diary "
            "number (e.g. HEL 2025-001216) and let you know when a case you follow moves "
            '(/following). You can subscribe to notices for your area (e.g. "subscribe to '
            'Kallio", /areas) and ask for a person to answer; I tell you who handles it and by '
            "when. When a message is passed on, the official can read the conversation. Write "
            "in English, suomeksi or på svenska."
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
    "only_text": {
        "fi": "Osaan lukea vain tekstiä. Kirjoita asiasi viestiksi, niin autan.",
        "sv": "Jag kan bara läsa text. Skriv ditt ärende som ett meddelande så hjälper jag.",
        "en": "I can only read text. Write your question as a message and I will help.",
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
    "not_yet": {
        "fi": (
            "Ymmärsin, että {wish}. En valitettavasti osaa auttaa siinä vielä. "
            'Kirjoita "apua", niin kerron, mitä jo osaan.'
        ),
        "sv": (
            "Jag förstod att {wish}. Tyvärr kan jag inte hjälpa till med det ännu. "
            'Skriv "hjälp" så berättar jag vad jag redan kan.'
        ),
        "en": (
            "I understood that {wish}. I'm afraid I can't help with that yet. "
            'Write "help" and I\'ll tell you what I can already do.'
        ),
    },
    "wish_case_status": {
        "fi": "haluat tietää, missä vaiheessa kaupungin asia on",
        "sv": "du vill veta hur ett ärende hos staden framskrider",
        "en": "you want to know where a municipal case stands",
    },
    "wish_case_follow": {
        "fi": "haluat seurata kaupungin asiaa",
        "sv": "du vill följa ett ärende hos staden",
        "en": "you want to follow a municipal case",
    },
    "wish_case_unfollow": {
        "fi": "haluat lopettaa asian seuraamisen",
        "sv": "du vill sluta följa ett ärende",
        "en": "you want to stop following a case",
    },
    "wish_area_subscribe": {
        "fi": "haluat tilata alueesi tiedotteet",
        "sv": "du vill prenumerera på meddelanden för ett område",
        "en": "you want to subscribe to notices for an area",
    },
    "wish_area_unsubscribe": {
        "fi": "haluat perua alueen tiedotteiden tilauksen",
        "sv": "du vill avsluta prenumerationen på ett områdes meddelanden",
        "en": "you want to unsubscribe from an area's notices",
    },
    "wish_notices_list": {
        "fi": "haluat tietää, mitä alueellasi tiedotetaan",
        "sv": "du vill veta vad som meddelas i ditt område",
        "en": "you want to know what is announced in your area",
    },
    "wish_report_issue": {
        "fi": "haluat ilmoittaa ongelmasta kaupungilla",
        "sv": "du vill anmäla ett problem i staden",
        "en": "you want to report a problem in the city",
    },
    "wish_ask_official": {
        "fi": "haluat keskustella virkailijan kanssa",
        "sv": "du vill tala med en tjänsteinnehavare",
        "en": "you want to talk to an official",
    },
    "wish_service_question": {
        "fi": "kysyt kaupungin palveluista",
        "sv": "du frågar om stadens tjänster",
        "en": "you are asking about city services",
    },
    "wish_privacy_info": {
        "fi": "haluat tietää, mitä tietoja sinusta tallennetaan",
        "sv": "du vill veta vilka uppgifter som sparas om dig",
        "en": "you want to know what is stored about you",
    },
    "wish_delete_my_data": {
        "fi": "haluat, että tietosi poistetaan",
        "sv": "du vill att dina uppgifter raderas",
        "en": "you want your data deleted",
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
        "fi": ("Jokin meni vikaan meidän päässämme. Viestisi on tallessa, ja palaamme asiaan."),
        "sv": "Något gick fel hos oss. Ditt meddelande är sparat och vi återkommer.",
        "en": "Something went wrong on our side. Your message is saved and we will get back "
        "to you.",
    },
}
