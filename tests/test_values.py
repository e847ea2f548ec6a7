"""Value parsers: table tests for each documented form, hypothesis for the properties."""

import calendar
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from reportgen.ingest.values import (
    clean_text, parse_date, parse_int_list, parse_money, parse_number, parse_percent,
    parse_rag, parse_timescales, split_funding,
)
from reportgen.model import Rag

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize("text, expected", [
    ("31/03/2019", date(2019, 3, 31)),
    ("31/3/19", date(2019, 3, 31)),
    ("04/05/2019", date(2019, 5, 4)),  # 4 May: UK order, never 5 April
    ("31-03-2019", date(2019, 3, 31)),
    ("31.03.2019", date(2019, 3, 31)),
    ("1-Oct-18", date(2018, 10, 1)),
    ("1 October 2018", date(2018, 10, 1)),
    ("1st October 2018", date(2018, 10, 1)),
    ("31 Mar 2019", date(2019, 3, 31)),
    ("2019-03-31", date(2019, 3, 31)),
    ("2019-03-31 00:00:00", date(2019, 3, 31)),
    (" 31/03/2019\u00a0", date(2019, 3, 31)),
    ("March 2019", date(2019, 3, 1)),
    (43555, date(2019, 3, 31)),
    (43555.0, date(2019, 3, 31)),
    (datetime(2019, 3, 31, 14, 30), date(2019, 3, 31)),
    (date(2019, 3, 31), date(2019, 3, 31)),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_month_year_is_month_end_for_end_dates():
    assert parse_date("March 2019", end=True) == date(2019, 3, 31)
    assert parse_date("Feb 2020", end=True) == date(2020, 2, 29)


@pytest.mark.parametrize("bad", ["05/31/2019", "13/13/2019", "31/02/2019", "2019", "Ongoing",
                                 "TBC", "", True, float("nan"), 5, "01/01/1899"])
def test_bad_dates_raise(bad):
    with pytest.raises(ValueError):
        parse_date(bad)


def test_us_order_message_says_day_first():
    with pytest.raises(ValueError, match="day first"):
        parse_date("05/31/2019")


@given(dates)
def test_every_uk_text_form_round_trips(d):
    for text in (d.strftime("%d/%m/%Y"), d.strftime("%d-%b-%Y"), d.strftime("%d %B %Y"),
                 d.isoformat(), f"{d.day}/{d.month}/{d.year}"):
        assert parse_date(text) == d


@given(dates)
def test_serial_round_trips(d):
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d


@given(dates.filter(lambda d: d.day > 12))
def test_us_order_is_never_accepted(d):
    with pytest.raises(ValueError):
        parse_date(f"{d.month:02d}/{d.day:02d}/{d.year}")


@pytest.mark.parametrize("text, start, end", [
    ("April 2017 – March 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("April 2017 –\nMarch 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("April 2017 - March 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("April 2017-March 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("April 2017 — March 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("April 2017 to March 2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("Apr 17 - Mar 19", date(2017, 4, 1), date(2019, 3, 31)),
    ("Apr-17 to Mar-19", date(2017, 4, 1), date(2019, 3, 31)),
    ("Sept 2017 – Feb 2020", date(2017, 9, 1), date(2020, 2, 29)),
    ("01/04/2017 – 31/03/2019", date(2017, 4, 1), date(2019, 3, 31)),
    ("1-Oct-18 to 31-Mar-19", date(2018, 10, 1), date(2019, 3, 31)),
    ("October 2016 – March 2019", date(2016, 10, 1), date(2019, 3, 31)),
])
def test_timescales(text, start, end):
    assert parse_timescales(text) == (start, end)


@pytest.mark.parametrize("bad", ["Ongoing", "April 2017", "April 2017 – March 2019 – May 2020",
                                 "April 2017 and then March 2019", "", date(2019, 1, 1)])
def test_bad_timescales(bad):
    with pytest.raises(ValueError):
        parse_timescales(bad)


@given(st.integers(2000, 2090), st.integers(1, 12), st.integers(0, 60),
       st.sampled_from([" – ", " - ", "-", " to ", "\n–\n", " — "]), st.booleans())
def test_timescales_property(year, month, length, sep, short):
    y2, m2 = divmod(year * 12 + month - 1 + length, 12)
    names = calendar.month_abbr if short else calendar.month_name
    text = f"{names[month]} {year}{sep}{names[m2 + 1]} {y2}"
    start, end = parse_timescales(text)
    assert start == date(year, month, 1)
    assert end == date(y2, m2 + 1, calendar.monthrange(y2, m2 + 1)[1])


@pytest.mark.parametrize("value, fmt, expected", [
    (0.35, True, 35), ("35%", False, 35), (35, False, 35), ("35", False, 35),
    (1, True, 100), (0, False, 0), (100, False, 100), (" 72.5 % ", False, 72.5),
])
def test_percent(value, fmt, expected):
    assert parse_percent(value, percent_format=fmt) == pytest.approx(expected)


@pytest.mark.parametrize("bad", [101, -1, "lots", "150%", 1.5])
def test_bad_percent(bad):
    with pytest.raises(ValueError):
        parse_percent(bad, percent_format=bad == 1.5)


@given(st.integers(0, 10000))
def test_percent_forms_agree(hundredths):
    p = hundredths / 100
    assert parse_percent(p) == pytest.approx(p)
    assert parse_percent(f"{p}%") == pytest.approx(p)
    assert parse_percent(p / 100, percent_format=True) == pytest.approx(p)


@pytest.mark.parametrize("value, expected", [
    ("£12,000", 12000), ("12000", 12000), (12000.5, 12000.5), ("£ 1,234.56", 1234.56),
    ("15k", 15000), ("£1.2m", 1200000), (0, 0), ("GBP 500", 500),
])
def test_money(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize("bad", ["(1,200)", "-5", "£-5", "lots", True, float("inf")])
def test_bad_money(bad):
    with pytest.raises(ValueError):
        parse_money(bad)


@given(st.integers(0, 10**9))
def test_money_round_trip(pennies):
    amount = pennies / 100
    assert parse_money(f"£{amount:,.2f}") == pytest.approx(amount)


@pytest.mark.parametrize("text, expected", [
    ("Red", Rag.RED), (" r ", Rag.RED), ("AMBER", Rag.AMBER), ("a", Rag.AMBER),
    ("green", Rag.GREEN), ("G", Rag.GREEN), ("Blue", Rag.BLUE), ("b\u00a0", Rag.BLUE),
])
def test_rag(text, expected):
    assert parse_rag(text) == expected


@given(st.sampled_from(["red", "amber", "green", "blue", "r", "a", "g", "b"]),
       st.text(alphabet=" \t\u00a0", max_size=3), st.text(alphabet=" \t\u00a0", max_size=3),
       st.booleans())
def test_rag_any_case_and_spaces(word, left, right, upper):
    text = left + (word.upper() if upper else word.capitalize()) + right
    assert parse_rag(text).value[0].lower() == word[0]


@pytest.mark.parametrize("bad", ["Purple", "RA", "", "Amber/Red"])
def test_bad_rag(bad):
    with pytest.raises(ValueError):
        parse_rag(bad)


@pytest.mark.parametrize("text, expected", [
    ("(Integrated Care Fund) (Transformation Programme)",
     ["Integrated Care Fund", "Transformation Programme"]),
    ("(Transformation Programme) (Integrated Care Fund), (Core Funding Investment)",
     ["Transformation Programme", "Integrated Care Fund", "Core Funding Investment"]),
    ("ICF", ["ICF"]),
    ("ICF / Transformation Programme", ["ICF", "Transformation Programme"]),
    ("ICF; SCF", ["ICF", "SCF"]),
    ("ICF and SCF", ["ICF", "SCF"]),
    ("(ICF)\n(SCF)", ["ICF", "SCF"]),
])
def test_split_funding(text, expected):
    assert split_funding(text) == expected


def test_clean_text_removes_control_characters_and_counts_them():
    assert clean_text("a\x07b\x0bc\x0cd\x00") == ("ab\nc\nd", 2)
    assert clean_text("  keep\ttabs\nand lines ") == ("keep\ttabs\nand lines", 0)
    assert clean_text(3.0) == ("3", 0)


def test_numbers_and_lists():
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("72.5%") == 72.5
    with pytest.raises(ValueError):
        parse_number("n/a")
    assert parse_int_list("2, 3 and 9") == (2, 3, 9)
    assert parse_int_list(6.0) == (6,)
    with pytest.raises(ValueError):
        parse_int_list("none")
