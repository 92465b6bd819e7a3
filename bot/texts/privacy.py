"""Texts of privacy: what is stored, the export of it, and forgetting a resident.

The privacy notice's address comes from :mod:`bot.privacy` (the city's data-protection page,
or the ``TALKKARI_PRIVACY_NOTICE_URL`` setting); texts take it as ``{notice}``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["PRIVACY"]

PRIVACY: Final[dict[str, dict[str, str]]] = {
    "privacy_info": {
        "fi": (
            "Tallennan viestisi ja vastaukset niihin, Telegram-tunnisteesi ja kielesi sekä "
            "seuraamasi asiat ja tilaamasi alueet; en nimeäsi enkä puhelinnumeroasi. Viestien "
            "tekstit poistetaan, kun keskustelu on ollut päättyneenä {months} kuukautta.\n\n"
            "Kun keskustelu siirtyy ihmiselle, kaupungin vastaavan tiimin virkailijat voivat "
            "lukea sen ja kirjoittaa siitä sisäisiä muistiinpanoja. Muistiinpanot ovat kaupungin "
            "asiakirjoja, eivätkä ne tule tietojesi mukana; niitä voit pyytää kaupungin "
            "tietosuojasivun kautta. Tilastot ovat nimettömiä.\n\n"
            "/mydata lähettää sinulle kaikki sinusta tallennetut tiedot JSON-tiedostona, ja "
            "/forget poistaa ne. Kaupungin tietosuoja: {notice}"
        ),
        "sv": (
            "Jag sparar dina meddelanden och svaren på dem, ditt Telegram-id och ditt språk samt "
            "ärendena du följer och områdena du prenumererar på; inte ditt namn eller "
            "telefonnummer. Meddelandenas texter raderas när samtalet har varit avslutat i "
            "{months} månader.\n\n"
            "När samtalet går vidare till en människa kan tjänsteinnehavarna i stadens ansvariga "
            "team läsa det och skriva interna anteckningar om det. Anteckningarna är stadens "
            "handlingar och ingår inte i dina uppgifter; dem kan du begära via stadens sida om "
            "dataskydd. Statistiken är anonym.\n\n"
            "/mydata skickar dig alla uppgifter som sparats om dig som en JSON-fil, och /forget "
            "raderar dem. Stadens dataskydd: {notice}"
        ),
        "en": (
            "I store your messages and the answers to them, your Telegram id and your language, "
            "and the cases you follow and the areas you subscribe to; not your name or phone "
            "number. Message texts are deleted once a conversation has been over for {months} "
            "months.\n\n"
            "When a conversation is passed to a person, the officials of the city's responsible "
            "team can read it and write internal notes about it. The notes are the city's "
            "records and are not part of your data export; you can ask for them through the "
            "city's data-protection page. Statistics are anonymous.\n\n"
            "/mydata sends you everything stored about you as a JSON file, and /forget deletes "
            "it. The city's data protection: {notice}"
        ),
    },
    "my_data_coming": {
        "fi": "Lähetän sinulle kaikki sinusta tallennetut tiedot JSON-tiedostona.",
        "sv": "Jag skickar dig alla uppgifter som sparats om dig som en JSON-fil.",
        "en": "I am sending you everything stored about you as a JSON file.",
    },
    "my_data_caption": {
        "fi": "Kaupunkitalkkarin tallentamat tiedot sinusta",
        "sv": "Uppgifterna Stadsvaktmästaren har sparat om dig",
        "en": "What the City Caretaker has stored about you",
    },
    "forget_question": {
        "fi": (
            "Poistanko kaikki viestisi, seuraamasi asiat, aluetilauksesi ja tunnisteesi? "
            "Poistoa ei voi perua. Jos haluat ensin tietosi talteen, valitse Peruuta ja "
            "kirjoita /mydata."
        ),
        "sv": (
            "Ska jag radera alla dina meddelanden, ärendena du följer, dina "
            "områdesprenumerationer och ditt id? Raderingen kan inte ångras. Vill du först "
            "spara dina uppgifter, välj Avbryt och skriv /mydata."
        ),
        "en": (
            "Shall I delete all your messages, the cases you follow, your area subscriptions "
            "and your id? This cannot be undone. If you want a copy first, choose Cancel and "
            "write /mydata."
        ),
    },
    "forget_yes": {
        "fi": "Kyllä, poista",
        "sv": "Ja, radera",
        "en": "Yes, delete",
    },
    "forget_cancel": {
        "fi": "Peruuta",
        "sv": "Avbryt",
        "en": "Cancel",
    },
    "forget_cancelled": {
        "fi": "Selvä, en poistanut mitään.",
        "sv": "Okej, jag raderade ingenting.",
        "en": "All right, I deleted nothing.",
    },
    "forgotten": {
        "fi": (
            "Tietosi on poistettu: viestisi, seuraamasi asiat, aluetilauksesi ja tunnisteesi. "
            "Jäljelle jää vain nimettömiä lukumääriä. Jos kirjoitat uudelleen, aloitamme alusta."
        ),
        "sv": (
            "Dina uppgifter är raderade: dina meddelanden, ärendena du följde, dina "
            "områdesprenumerationer och ditt id. Kvar finns bara anonyma antal. Om du skriver "
            "igen börjar vi från början."
        ),
        "en": (
            "Your data has been deleted: your messages, the cases you followed, your area "
            "subscriptions and your id. Only anonymous counts remain. If you write again, we "
            "start afresh."
        ),
    },
    "command_privacy": {
        "fi": "Mitä minusta tallennetaan?",
        "sv": "Vad sparas om mig?",
        "en": "What is stored about me?",
    },
    "command_mydata": {
        "fi": "Lähetä minulle tietoni",
        "sv": "Skicka mig mina uppgifter",
        "en": "Send me my data",
    },
    "command_forget": {
        "fi": "Poista tietoni",
        "sv": "Radera mina uppgifter",
        "en": "Delete my data",
    },
}
