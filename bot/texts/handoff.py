"""Texts of the handoff: the bot steps aside for people, and comes back."""

from __future__ import annotations

from typing import Final

__all__ = ["HANDOFF"]

HANDOFF: Final[dict[str, dict[str, str]]] = {
    "handoff_nobody": {
        "fi": (
            "Valitettavasti en voi juuri nyt välittää viestiäsi kenellekään. Voit ottaa "
            "yhteyttä kaupungin neuvontaan tai yrittää myöhemmin uudelleen."
        ),
        "sv": (
            "Tyvärr kan jag inte skicka ditt meddelande vidare till någon just nu. Du kan "
            "kontakta stadens rådgivning eller försöka igen senare."
        ),
        "en": (
            "I'm sorry, I cannot pass your message to anyone right now. You can contact the "
            "city's advice service or try again later."
        ),
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
