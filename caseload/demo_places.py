"""Real places for the demo councils (`seed_demo`): each pilot council's electoral wards as
used since the May 2017 elections (unchanged for these five councils in 2022), with the town
each ward's demo addresses use, that town's postcode district and telephone area code.

Plain data, no Django, so localdev.demo_councils (which the launcher imports before settings
exist) can read the ward names too.

Sources:
- Ward names and numbers: the Local Government Boundary Commission for Scotland's Fifth
  Reviews of Electoral Arrangements, as made by the (Electoral Arrangements) Orders 2016
  (e.g. SSI 2016/283 for North Lanarkshire: "divided into 21 electoral wards"); Fife's 22
  wards as numbered in its 2017 results (Ward 9 Burntisland, Kinghorn and Western Kirkcaldy,
  Ward 10 Kirkcaldy North, Ward 11 Kirkcaldy Central).
- ONS/GSS ward codes (S13002xxx): only where a published lookup gives one. Annandale East
  and Eskdale is S13002891 in the geography lookup Public Health Scotland builds from the
  Scottish Government's statistics.gov.scot (phsmethods, data-raw/area_lookup.R). No
  trustworthy source was found for the other wards' codes, so they are left empty rather
  than guessed: the comparison then shows those wards by name alone (a coded ward by name
  and code), as it does for any council that has not given its wards codes, until an admin
  uploads the ONS Postcode Directory (Admin → Postcode-to-ward table), which carries them.
- Telephone area codes (Ofcom's national numbering plan): Kirkcaldy and Glenrothes 01592,
  St Andrews and Cupar 01334, Dunfermline 01383, Leven and Anstruther 01333, Auchtermuchty
  01337, Newport-on-Tay (Dundee) 01382; Motherwell and Wishaw 01698, Airdrie, Coatbridge and
  Cumbernauld 01236, Shotts 01501; Dumfries 01387, Stranraer 01776, Newton Stewart 01671,
  Kirkcudbright 01557, Castle Douglas 01556, Thornhill 01848, Annan 01461, Lockerbie
  01576; Glasgow (Bearsden, Milngavie, Bishopbriggs, Kirkintilloch) 0141; Greenock, Gourock
  and Port Glasgow 01475. Local numbers are random: plausible, not anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoWard:
    number: int
    name: str
    code: str  # ONS/GSS code, or "" when no trustworthy source gave one
    town: str  # where the ward's demo addresses are
    district: str  # that town's postcode district
    area_code: str  # that town's telephone area code


@dataclass(frozen=True)
class DemoPlaces:
    wards: tuple[DemoWard, ...]

    @property
    def area_codes(self) -> frozenset[str]:
        return frozenset(w.area_code for w in self.wards)


def _wards(*rows: tuple[str, str, str, str, str]) -> tuple[DemoWard, ...]:
    return tuple(DemoWard(i, *row) for i, row in enumerate(rows, start=1))


PLACES: dict[str, DemoPlaces] = {
    "north-lanarkshire": DemoPlaces(
        _wards(
            ("Kilsyth", "", "Kilsyth", "G65", "01236"),
            ("Cumbernauld North", "", "Cumbernauld", "G68", "01236"),
            ("Cumbernauld South", "", "Cumbernauld", "G67", "01236"),
            ("Cumbernauld East", "", "Cumbernauld", "G67", "01236"),
            ("Stepps, Chryston and Muirhead", "", "Chryston", "G69", "0141"),
            ("Gartcosh, Glenboig and Moodiesburn", "", "Moodiesburn", "G69", "01236"),
            ("Coatbridge North", "", "Coatbridge", "ML5", "01236"),
            ("Airdrie North", "", "Airdrie", "ML6", "01236"),
            ("Airdrie Central", "", "Airdrie", "ML6", "01236"),
            ("Coatbridge West", "", "Coatbridge", "ML5", "01236"),
            ("Coatbridge South", "", "Coatbridge", "ML5", "01236"),
            ("Airdrie South", "", "Airdrie", "ML6", "01236"),
            ("Fortissat", "", "Shotts", "ML7", "01501"),
            ("Thorniewood", "", "Uddingston", "G71", "01698"),
            ("Bellshill", "", "Bellshill", "ML4", "01698"),
            ("Mossend and Holytown", "", "Holytown", "ML1", "01698"),
            ("Motherwell West", "", "Motherwell", "ML1", "01698"),
            ("Motherwell North", "", "Motherwell", "ML1", "01698"),
            ("Motherwell South East and Ravenscraig", "", "Motherwell", "ML1", "01698"),
            ("Murdostoun", "", "Newmains", "ML2", "01698"),
            ("Wishaw", "", "Wishaw", "ML2", "01698"),
        )
    ),
    "dumfries-and-galloway": DemoPlaces(
        _wards(
            ("Stranraer and the Rhins", "", "Stranraer", "DG9", "01776"),
            ("Mid Galloway and Wigtown West", "", "Newton Stewart", "DG8", "01671"),
            ("Dee and Glenkens", "", "Kirkcudbright", "DG6", "01557"),
            ("Castle Douglas and Crocketford", "", "Castle Douglas", "DG7", "01556"),
            ("Abbey", "", "Dumfries", "DG2", "01387"),
            ("North West Dumfries", "", "Dumfries", "DG2", "01387"),
            ("Mid and Upper Nithsdale", "", "Thornhill", "DG3", "01848"),
            ("Lochar", "", "Dumfries", "DG1", "01387"),
            ("Nith", "", "Dumfries", "DG1", "01387"),
            ("Annandale South", "", "Annan", "DG12", "01461"),
            ("Annandale North", "", "Lockerbie", "DG11", "01576"),
            ("Annandale East and Eskdale", "S13002891", "Langholm", "DG13", "01387"),
        )
    ),
    "east-dunbartonshire": DemoPlaces(
        _wards(
            ("Milngavie", "", "Milngavie", "G62", "0141"),
            ("Bearsden North", "", "Bearsden", "G61", "0141"),
            ("Bearsden South", "", "Bearsden", "G61", "0141"),
            ("Bishopbriggs North and Campsie", "", "Bishopbriggs", "G64", "0141"),
            ("Bishopbriggs South", "", "Bishopbriggs", "G64", "0141"),
            ("Lenzie and Kirkintilloch South", "", "Lenzie", "G66", "0141"),
            ("Kirkintilloch East and North and Twechar", "", "Kirkintilloch", "G66", "0141"),
        )
    ),
    "fife": DemoPlaces(
        _wards(
            ("West Fife and Coastal Villages", "", "High Valleyfield", "KY12", "01383"),
            ("Dunfermline North", "", "Dunfermline", "KY12", "01383"),
            ("Dunfermline Central", "", "Dunfermline", "KY12", "01383"),
            ("Dunfermline South", "", "Dunfermline", "KY11", "01383"),
            ("Rosyth", "", "Rosyth", "KY11", "01383"),
            ("Inverkeithing and Dalgety Bay", "", "Inverkeithing", "KY11", "01383"),
            ("Cowdenbeath", "", "Cowdenbeath", "KY4", "01383"),
            ("Lochgelly, Cardenden and Benarty", "", "Lochgelly", "KY5", "01592"),
            ("Burntisland, Kinghorn and Western Kirkcaldy", "", "Burntisland", "KY3", "01592"),
            ("Kirkcaldy North", "", "Kirkcaldy", "KY2", "01592"),
            ("Kirkcaldy Central", "", "Kirkcaldy", "KY1", "01592"),
            ("Kirkcaldy East", "", "Kirkcaldy", "KY1", "01592"),
            ("Glenrothes West and Kinglassie", "", "Glenrothes", "KY6", "01592"),
            ("Glenrothes North, Leslie and Markinch", "", "Markinch", "KY7", "01592"),
            ("Glenrothes Central and Thornton", "", "Glenrothes", "KY7", "01592"),
            ("Howe of Fife and Tay Coast", "", "Auchtermuchty", "KY14", "01337"),
            ("Tay Bridgehead", "", "Newport-on-Tay", "DD6", "01382"),
            ("St Andrews", "", "St Andrews", "KY16", "01334"),
            ("East Neuk and Landward", "", "Anstruther", "KY10", "01333"),
            ("Cupar", "", "Cupar", "KY15", "01334"),
            ("Leven, Kennoway and Largo", "", "Leven", "KY8", "01333"),
            ("Buckhaven, Methil and Wemyss Villages", "", "Methil", "KY8", "01592"),
        )
    ),
    "inverclyde": DemoPlaces(
        _wards(
            ("Inverclyde East", "", "Port Glasgow", "PA14", "01475"),
            ("Inverclyde East Central", "", "Greenock", "PA15", "01475"),
            ("Inverclyde Central", "", "Greenock", "PA15", "01475"),
            ("Inverclyde North", "", "Greenock", "PA15", "01475"),
            ("Inverclyde West", "", "Gourock", "PA19", "01475"),
            ("Inverclyde South West", "", "Greenock", "PA16", "01475"),
            ("Inverclyde South", "", "Greenock", "PA16", "01475"),
        )
    ),
}


def ward_names(slug: str) -> list[str]:
    return [w.name for w in PLACES[slug].wards]


def councillor_wards(slug: str, councillors: int) -> list[str]:
    """The wards the pilot's volunteer councillors sit for, spread over the council (Scottish
    wards elect 3 or 4 members, so a small council's wards get two volunteers)."""
    wards = PLACES[slug].wards
    return [wards[(i * len(wards)) // councillors].name for i in range(councillors)]
