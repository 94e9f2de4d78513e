"""The list presenters' shortcuts write what the general formatters they stand in for write (issue 20, third pass):
fakturan.nu's decimal_string keeps its texts by value, and InvoiceOcean converts and writes a never-changed
invoice's created_at/updated_at once. Checked over generated values: equal Decimals of different exponents
and signs (1.5, 1.50, 15E-1, -0, 0E+3), long texts, non-finite values, and instants on and around the DST
changes of zones with whole-hour, half-hour and historical second-precision offsets."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dialects.fakturan import fields as fakturan_fields
from dialects.fakturan.fields import _normalized_string, decimal_string
from dialects.invoiceocean.present import Audience, _json_stamp, _json_stamp_pair, stamp, stamp_text

# -- fakturan: decimal_string's texts, kept by value ----------------------------------------------------------

finite = st.decimals(allow_nan=False, allow_infinity=False, places=None)
money_like = st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False, allow_infinity=False)
odd = st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("-0.00"), Decimal("0E-7"), Decimal("0E+3"),
                       Decimal("1E+2"), Decimal("100"), Decimal("100.000"), Decimal("15E-1"), Decimal("1.50"),
                       Decimal("-0.50"), Decimal("1234567890123456789012.5"),
                       Decimal("1.000000000000000000000000000000001"), Decimal("Infinity"), Decimal("-Infinity"),
                       Decimal("NaN"), Decimal("-NaN")])


def _spellings(value: Decimal) -> list[Decimal]:
    """The value, and equal Decimals written otherwise: a cache keyed by value must not tell them apart."""
    found = [value]
    if value.is_finite():
        found += [value.normalize(), value.quantize(Decimal("1E-6")) if abs(value) < 10**12 else value,
                  -value if value.is_zero() else value, Decimal(str(value))]
    return found


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(finite, money_like, money_like.map(Decimal.normalize), odd), min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_fakturan_amounts_kept_by_value_print_as_the_general_rails_text(values: list[Decimal], order: object) -> None:
    calls = [spelled for value in values for spelled in _spellings(value)] * 2  # the second round reads the cache
    order.shuffle(calls)  # type: ignore[attr-defined]
    for value in calls:
        assert decimal_string(value) == _normalized_string(value)


def test_fakturan_amount_texts_stay_bounded_and_right_after_the_store_is_emptied() -> None:
    for cents in range(fakturan_fields._MAX_TEXTS + 10):
        value = Decimal(cents).scaleb(-2)
        assert decimal_string(value) == _normalized_string(value)
        assert len(fakturan_fields._TEXTS) <= fakturan_fields._MAX_TEXTS
    assert decimal_string(Decimal("7.50")) == "7.5" and decimal_string(Decimal("-0.00")) == "0.0"
    assert decimal_string(None) is None and decimal_string(12) == "12.0"


# -- InvoiceOcean: timestamps in the account's zone ---------------------------------------------------------

ZONES = ("UTC", "Europe/Warsaw", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
         "Pacific/Apia", "Europe/Dublin", "Africa/Casablanca")
# Instants on the clock changes: a transition, a microsecond and a millisecond either side.
TRANSITIONS = [datetime(2024, 3, 31, 1, 0, tzinfo=timezone.utc), datetime(2024, 10, 27, 1, 0, tzinfo=timezone.utc),
               datetime(2024, 3, 10, 7, 0, tzinfo=timezone.utc), datetime(2024, 11, 3, 6, 0, tzinfo=timezone.utc),
               datetime(2024, 4, 6, 15, 0, tzinfo=timezone.utc), datetime(2024, 10, 5, 15, 30, tzinfo=timezone.utc),
               datetime(1890, 1, 1, 0, 0, tzinfo=timezone.utc)]
near = st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(microseconds=-1),
                        timedelta(microseconds=999), timedelta(milliseconds=-1), timedelta(seconds=-1),
                        timedelta(microseconds=500)])
instants = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.sampled_from(
        [timezone(timedelta(hours=5, minutes=30)), ZoneInfo("Europe/Warsaw"), ZoneInfo("America/New_York")])),
    st.builds(lambda at, shift: at + shift, st.sampled_from(TRANSITIONS), near),
)
gaps = st.one_of(near, st.timedeltas(min_value=timedelta(milliseconds=-3), max_value=timedelta(milliseconds=3)),
                 st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400)))


def _former(value: datetime | None, audience: Audience) -> str | None:
    """How a JSON timestamp was written before: stamp() into the zone, then stamp_text()."""
    shown = stamp(value, audience)
    return None if shown is None else stamp_text(shown)


@settings(max_examples=1500, deadline=None)
@given(instants, gaps, st.sampled_from(ZONES), st.booleans())
# The second 1:00 of New York's clock change (fold=1, EST) and the same wall time plus nothing (fold=0, EDT):
# equal wall times an hour apart, which a shortcut comparing the two values directly took for one instant.
@example(datetime(2016, 11, 6, 1, 0, fold=1, tzinfo=ZoneInfo("America/New_York")), timedelta(0), "UTC", False)
def test_invoiceocean_json_timestamps_read_as_they_did(created: datetime, gap: timedelta, zone: str,
                                                       missing: bool) -> None:
    audience = Audience(zone, "http://example.test")
    updated = None if missing else created + gap
    assert _json_stamp(created, audience) == _former(created, audience)
    assert _json_stamp_pair(created, updated, audience) == (_former(created, audience), _former(updated, audience))
    assert _json_stamp_pair(None, created, audience) == (None, _former(created, audience))


def test_a_never_changed_invoice_s_timestamps_are_one_text_and_a_changed_one_s_are_two() -> None:
    audience = Audience("Europe/Warsaw", "http://example.test")
    created = datetime(2024, 10, 27, 0, 59, 59, 999_400, tzinfo=timezone.utc)  # 0.6 ms before the clock goes back
    same_ms = _json_stamp_pair(created, created + timedelta(microseconds=599), audience)
    assert same_ms == ("2024-10-27T02:59:59.999+02:00",) * 2
    next_second = _json_stamp_pair(created, created + timedelta(microseconds=600), audience)
    assert next_second == ("2024-10-27T02:59:59.999+02:00", "2024-10-27T02:00:00.000+01:00")
