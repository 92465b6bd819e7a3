"""Texts of the handoff: the bot steps aside for people, and comes back."""

from __future__ import annotations

from typing import Final

__all__ = ["HANDOFF"]

HANDOFF: Final[dict[str, dict[str, str]]] = {
    "handoff_nobody": {
        "fi": (
            "Täällä ei ole ketään, joka voisi ottaa keskustelun hoitaakseen, joten viestisi ei "
            "mene kenellekään eteenpäin. Kaupungin yhteystiedot löydät täältä: {url}"
        ),
        "sv": (
            "Här finns ingen som kan ta över samtalet, så ditt meddelande går inte vidare till "
            "någon. Stadens kontaktuppgifter hittar du här: {url}"
        ),
        "en": (
            "There is no one here who can take this conversation over, so your message is not "
            "passed on to anyone. You can find the city's contact details here: {url}"
        ),
    },
    "handoff_nobody_phone": {
        "fi": "Puhelin: {phone}",
        "sv": "Telefon: {phone}",
        "en": "Phone: {phone}",
    },
    "with_people": {
        "fi": "Viestisi on kaupungin työntekijöillä, ja he vastaavat tässä keskustelussa.",
        "sv": "Ditt meddelande är hos stadens anställda, och de svarar här i samtalet.",
        "en": "Your message is with the city's staff, and they will answer in this chat.",
    },
    "with_an_official": {
        "fi": (
            "Virkailija hoitaa keskusteluasi ja vastaa tässä. Botti ei vastaa sillä välin; "
            "/botti palauttaa sinut bottiin."
        ),
        "sv": (
            "En tjänsteinnehavare sköter ditt samtal och svarar här. Boten svarar inte under "
            "tiden; /boten tar dig tillbaka till boten."
        ),
        "en": (
            "An official is handling your conversation and will answer here. The bot does not "
            "answer meanwhile; /bot takes you back to the bot."
        ),
    },
    "back_with_bot": {
        "fi": "Olet taas botin kanssa. Miten voin auttaa?",
        "sv": "Du är tillbaka hos boten. Hur kan jag hjälpa dig?",
        "en": "You are back with the bot. How can I help?",
    },
}
