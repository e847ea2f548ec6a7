"""One strictly parsed address per person (issue 27): the parser, the configuration and
the tracker's Email cell."""

from pathlib import Path

import pytest

from builders import HEADERS, good_row, write_tracker
from reportgen.address import AddressError, parse_address
from reportgen.config import ConfigError, config_from_dict


@pytest.mark.parametrize("text, address", [
    ("morag.elliot@example.org", "morag.elliot@example.org"),
    ("  morag.elliot@example.org  ", "morag.elliot@example.org"),
    ("Morag.Elliot@Example.ORG", "Morag.Elliot@example.org"),  # the domain in lower case
    ("Morag Elliot <morag.elliot@example.org>", "morag.elliot@example.org"),  # Outlook's
    ('"Elliot, Morag" <morag.elliot@example.org>', "morag.elliot@example.org"),
    ("<morag.elliot@example.org>", "morag.elliot@example.org"),
    ("o'brien+plan@nhs.example.org", "o'brien+plan@nhs.example.org"),
    ("ian@bücher.example", "ian@xn--bcher-kva.example"),  # IDNA for the domain
    ("jürgen@example.org", "jürgen@example.org"),  # kept: needs SMTPUTF8 to go
])
def test_one_valid_address_is_accepted(text, address):
    assert parse_address(text) == address


@pytest.mark.parametrize("text, reason", [
    ("comma@example.org,victim2@example.com", "comma"),
    ("semi@example.org;victim3@example.com", "semicolon"),
    ("evil@example.org\r\nBcc: victim4@example.com", "line break"),
    ("evil@example.org\nBcc: victim4@example.com", "line break"),
    ("graeme.turnbull@@example.org", "more than one @"),
    ("a@b@example.org", "more than one @"),
    ("graeme turnbull@example.org", "space"),
    ("graeme.turnbull@", "no domain"),
    ("graeme.turnbull", "no @"),
    ("@example.org", "nothing before the @"),
    ("graeme@example", "has no dot"),
    ("graeme.@example.org", "starts or ends with a dot"),
    (".graeme@example.org", "starts or ends with a dot"),
    ("gra..eme@example.org", "two dots"),
    ("graeme@example.org.", "ends with a dot"),
    ("graeme@example..org", "two dots in a row"),
    ('"graeme turnbull"@example.org', "quoted"),
    ('"a,b"@example.org', "quoted"),
    ("graeme@[192.0.2.1]", "IP address"),
    ("graeme@192.0.2.1", "is a number"),
    ("graeme@exa_mple.org", "letters, digits, hyphens"),
    ("graeme@-example.org", "letters, digits, hyphens"),
    ("mailto:graeme@example.org", "':'"),
    ("graeme@example.org (Graeme)", "space"),
    ("Turnbull, Graeme <graeme@example.org>", "comma or a semicolon"),
    ("A <a@example.org>, B <b@example.org>", "more than one address"),
    ("Graeme <graeme@example.org> other@example.org", "out of place"),
    ("undisclosed: a@example.org;", "semicolon"),
    ("graeme\u202e@example.org", "hidden character (U+202E)"),
    ("graeme\x9b@example.org", "hidden character (U+009B)"),
    ("graeme@stra\u00dfe.example", "without changing it"),  # IDNA 2003 would send to strasse
    ("", "empty"),
])
def test_anything_but_one_valid_address_is_refused_with_a_reason(text, reason):
    with pytest.raises(AddressError, match=reason.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+")):
        parse_address(text)


def _config(**email):
    raw = {"objectives": [{"number": 1, "text": "One"}],
           "funding_streams": [{"name": "ICF"}], "email": email}
    return config_from_dict(raw, Path("reportgen.toml"))


def test_a_bad_configured_address_is_left_out_and_named_not_a_stopped_run():
    cfg = _config(board=["clerk@example.org", "chair@example.org, outsider@example.com",
                         "clerk@example.org"],
                  team=["performance@example.org"],
                  officers={"Graeme Turnbull": "graeme.turnbull@@example.org",
                            "Morag Elliot": "Morag Elliot <morag.elliot@example.org>"})
    assert cfg.email.board == ("clerk@example.org",)  # each once, the list entry left out
    assert cfg.email.officers == (("Morag Elliot", "morag.elliot@example.org"),)
    problems = {p.key: p for p in cfg.email.address_problems}
    assert set(problems) == {"email.board[2]", "email.officers.Graeme Turnbull"}
    graeme = problems["email.officers.Graeme Turnbull"]
    assert graeme.who == "Graeme Turnbull" and graeme.value == "graeme.turnbull@@example.org"
    assert graeme.describe() == ("reportgen.toml email.officers.Graeme Turnbull = "
                                 "'graeme.turnbull@@example.org': it has more than one @")


@pytest.mark.parametrize("sender, message", [
    ("not an address", "'email.sender' must be one e-mail address"),
    ("a@example.org\r\nBcc: x@example.com", "line break"),
    ("jürgen@example.org", "an address in ASCII letters"),
])
def test_the_sender_must_be_one_ascii_address(sender, message):
    with pytest.raises(ConfigError, match=message):
        _config(sender=sender)


ATTACKS = {  # officer -> what their tracker's Email cell holds
    "Cora Comma": "comma@example.org,victim2@example.com",
    "Sam Semi": "semi@example.org;victim3@example.com",
    "Eve Evil": "evil@example.org\r\nBcc: victim4@example.com",
    "Graeme Turnbull": "graeme.turnbull@@example.org",
    "Sue Space": "sue space@example.org",
    "Nora Nodomain": "nora@",
}


def test_each_bad_email_cell_is_one_warning_naming_officer_value_and_cell(tmp_path, read):
    rows = [good_row(i + 1, **{"Lead Officer": officer, "Email": value})
            for i, (officer, value) in enumerate(ATTACKS.items())]
    rows.append(good_row(9, **{"Lead Officer": "Iain Scott", "Email": "iain@example.org"}))
    path = write_tracker(tmp_path / "t.xlsx", rows, headers=[*HEADERS, "Email"])
    result = read(path)
    found = [i for i in result.issues if i.code == "invalid-email"]
    assert len(found) == len(ATTACKS)  # one each
    email_col = "T"  # the 20th column
    for n, (issue, (officer, value)) in enumerate(zip(found, ATTACKS.items())):
        assert issue.severity.value == "warning" and issue.officer == officer
        assert issue.sheet == "Actions" and issue.cell == f"{email_col}{5 + n}"
        shown = value.replace("\r", "<U+000D>").replace("\n", "<U+000A>")
        assert f"'{shown}'" in issue.message and "No email is sent" in issue.message
    by_officer = {a.lead_officer: a.email for a in result.actions}
    assert by_officer["Iain Scott"] == "iain@example.org"
    assert all(by_officer[o] == "" for o in ATTACKS)  # rated, with no address
    assert len(result.actions) == len(ATTACKS) + 1
