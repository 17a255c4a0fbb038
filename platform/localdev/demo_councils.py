"""The demo councils and login, importable without Django settings (the launcher prints them)."""

DEMO_PASSWORD = "demo-caseload-2026"  # noqa: S105 - printed to the developer on purpose
# Council admins and central staff must sign in with a second factor: the demo ones share
# this authenticator key (base32, as apps take it), printed by `make run`; add it to an app,
# or get the current code with `manage.py demo_code`. Demo data only, like the password.
DEMO_TOTP_SECRET = "MNQXGZLMN5QWILLEMVWW6LJSMZQS2MRQ"  # noqa: S105

# The 2006 pilot councils, each with some of its real ward names.
DEMO_COUNCILS: list[tuple[str, str, list[str]]] = [
    (
        "north-lanarkshire",
        "North Lanarkshire Council",
        [
            "Airdrie North",
            "Airdrie Central",
            "Coatbridge North",
            "Coatbridge South",
            "Motherwell North",
            "Wishaw",
            "Cumbernauld North",
        ],
    ),
    (
        "dumfries-and-galloway",
        "Dumfries and Galloway Council",
        [
            "Stranraer and the Rhins",
            "Mid Galloway and Wigtown West",
            "Dee and Glenkens",
            "Castle Douglas and Crocketford",
            "Abbey",
            "Nith",
            "Annandale South",
        ],
    ),
    (
        "east-dunbartonshire",
        "East Dunbartonshire Council",
        [
            "Milngavie",
            "Bearsden North",
            "Bearsden South",
            "Bishopbriggs North and Campsie",
            "Bishopbriggs South",
            "Lenzie and Kirkintilloch South",
        ],
    ),
    (
        "fife",
        "Fife Council",
        [
            "Kirkcaldy North",
            "Kirkcaldy Central",
            "Dunfermline Central",
            "Glenrothes West and Kinglassie",
            "St Andrews",
            "Cupar",
        ],
    ),
    (
        "inverclyde",
        "Inverclyde Council",
        [
            "Inverclyde East",
            "Inverclyde East Central",
            "Inverclyde Central",
            "Inverclyde North",
            "Inverclyde West",
            "Inverclyde South West",
            "Inverclyde South",
        ],
    ),
]
