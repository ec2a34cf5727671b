"""Properties of the cell parsers every importer shares, over many generated cells: they never
crash on what a file may hold, never turn a DfE symbol into a number, and read back what a
spreadsheet writes."""

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from academies.imports.cells import CellError, parse_academic_year, parse_count, parse_number
from academies.models.results import SYMBOL_CODES

# The same examples on every run, and no example database left in the working tree.
deterministic = settings(derandomize=True, database=None, max_examples=300)

SYMBOLS = sorted(SYMBOL_CODES)
# Whitespace a cell may carry around its text: spaces, tabs, line ends, non-breaking spaces.
PADDING = st.text(alphabet=" \t\r\n\xa0\u2003", max_size=3)
FLAGS = st.fixed_dictionaries({"percent": st.booleans(), "fraction": st.booleans()})


@st.composite
def symbol_cells(draw):
    """A DfE symbol as a file might write it: any mix of upper and lower case, padded."""
    code = draw(st.sampled_from(SYMBOLS))
    upper = draw(st.lists(st.booleans(), min_size=len(code), max_size=len(code)))
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(code, upper, strict=True))
    return code, draw(PADDING) + cased + draw(PADDING)


def read(parse, raw, **flags):
    """The parser's answer, or the CellError it raised; any other exception fails the test."""
    try:
        return parse(raw, **flags)
    except CellError as error:
        return error


@deterministic
@given(raw=st.text(max_size=30), flags=FLAGS)
@example(raw="1e5", flags={"percent": True, "fraction": False})
@example(raw="NaN", flags={"percent": False, "fraction": False})
@example(raw="%", flags={"percent": True, "fraction": True})
@example(raw="--1", flags={"percent": False, "fraction": False})
def test_parse_number_answers_a_value_a_symbol_or_a_cell_error(raw, flags):
    answer = read(parse_number, raw, **flags)

    if isinstance(answer, CellError):
        assert str(answer)  # the message is what the error report shows the user
        return
    value, state = answer
    assert value is None or isinstance(value, Decimal)
    assert value is None or state == ""  # a figure is a value or a state, never both
    assert state == "" or state in set(SYMBOL_CODES.values())
    assert value is None or value.is_finite()


@deterministic
@given(raw=st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=30), flags=FLAGS)
def test_text_without_a_digit_is_never_a_number(raw, flags):
    answer = read(parse_number, raw, **flags)

    assert isinstance(answer, CellError) or answer[0] is None


@deterministic
@given(cell=symbol_cells(), flags=FLAGS)
def test_a_symbol_in_any_case_and_padding_is_its_state_never_a_number(cell, flags):
    code, raw = cell

    assert parse_number(raw, **flags) == (None, SYMBOL_CODES[code])
    assert parse_count(raw) == (None, SYMBOL_CODES[code])


@deterministic
@given(value=st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False,
                         allow_infinity=False), padding=PADDING)
@example(value=Decimal("1234.5"), padding="")
@example(value=Decimal("-0.41"), padding="")
def test_a_number_written_with_thousands_separators_reads_back(value, padding):
    written = f"{value:,f}"  # 1,234.50

    assert parse_number(padding + written + padding) == (value, "")
    assert parse_number(written.replace("-", "\u2212")) == (value, "")  # the typographic minus


@deterministic
@given(value=st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False))
@example(value=Decimal(64))
def test_a_percentage_reads_back_as_its_number(value):
    assert parse_number(f"{value}%", percent=True) == (value, "")
    assert parse_number(f"{value} %", percent=True, fraction=True) == (value, "")


@deterministic
@given(value=st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False))
def test_a_percentage_where_a_plain_number_is_expected_is_an_error(value):
    with pytest.raises(CellError, match="percentage"):
        parse_number(f"{value}%")


@deterministic
@given(share=st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False))
@example(share=Decimal("0.85"))
def test_a_fraction_is_read_as_a_share_of_100_when_the_format_says_so(share):
    assert parse_number(f"{share:f}", fraction=True) == (share * 100, "")
    assert parse_number(f"{share:f}") == (share, "")


@deterministic
@given(pupils=st.integers(min_value=0, max_value=10**6))
def test_a_count_reads_back_and_a_part_pupil_is_an_error(pupils):
    assert parse_count(f"{pupils:,}") == (pupils, "")
    with pytest.raises(CellError, match="whole number"):
        parse_count(f"{pupils}.5")


# --- academic years ---------------------------------------------------------------------------------

START_YEARS = st.integers(min_value=1990, max_value=2098)


def next_two(start):
    return f"{(start + 1) % 100:02d}"


@st.composite
def consistent_labels(draw):
    """An academic year as the files write it: 2024/25, 2024-25, 2024/2025, 2024 / 25, 202425."""
    start = draw(START_YEARS)
    form = draw(st.sampled_from(["slash", "dash", "long", "period"]))
    if form == "period":
        return start, f"{start}{next_two(start)}"
    end = str(start + 1) if form == "long" else next_two(start)
    separator = "-" if form == "dash" else "/"
    return start, draw(PADDING) + f"{start}{draw(st.sampled_from(['', ' ']))}{separator}" \
        f"{draw(st.sampled_from(['', ' ']))}{end}" + draw(PADDING)


@deterministic
@given(label=consistent_labels())
@example(label=(1999, "1999/00"))
@example(label=(2024, "202425"))
def test_every_consistent_year_label_gives_its_start_year(label):
    start, text = label

    assert parse_academic_year(text) == start


@st.composite
def inconsistent_labels(draw):
    """Labels whose end does not follow their start: 2024/26, 2024/2024, 202423."""
    start = draw(START_YEARS)
    end = draw(st.integers(min_value=0, max_value=99).filter(lambda e: e != (start + 1) % 100))
    form = draw(st.sampled_from(["slash", "dash", "long", "period"]))
    if form == "period":
        return f"{start}{end:02d}"
    if form == "long":
        return f"{start}/{start // 100 * 100 + end}"
    return f"{start}{'-' if form == 'dash' else '/'}{end:02d}"


@deterministic
@given(text=inconsistent_labels())
@example(text="2024/24")
@example(text="2024/2024")
@example(text="202423")
def test_a_year_label_whose_end_does_not_follow_its_start_is_refused(text):
    with pytest.raises(CellError, match="academic year"):
        parse_academic_year(text)


@deterministic
@given(raw=st.text(max_size=12))
@example(raw="2024")
@example(raw="24/25")
@example(raw="2024/25/26")
def test_parse_academic_year_answers_a_year_or_a_cell_error(raw):
    answer = read(parse_academic_year, raw)

    assert isinstance(answer, CellError | int)


# --- faults these properties found, fixed in cells.py ---------------------------------------------

@pytest.mark.parametrize("text", ["2024/2125", "2024/1925"])
def test_a_four_digit_end_year_in_another_century_is_refused(text):
    with pytest.raises(CellError):
        parse_academic_year(text)


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,2,3"])
def test_a_comma_that_is_not_a_thousands_separator_is_an_error(text):
    with pytest.raises(CellError):
        parse_number(text)


@pytest.mark.parametrize("text", ["\u0666\u0664", "\uff12\uff10\uff12\uff14/\uff12\uff15", "12345678901"])
def test_only_plain_ascii_figures_of_a_sensible_size_are_read(text):
    with pytest.raises(CellError):
        parse_number(text) if "/" not in text else parse_academic_year(text)
