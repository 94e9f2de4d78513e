import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest

from dialects.invoiceocean.xml import XmlRejected, parse_xml, render_xml, singular

INVOICE_TYPES = {"payment_to": "date", "paid_date": "date", "client_id": "integer"}


def _two_invoices() -> list[dict[str, Any]]:
    return [
        {
            "id": 101,
            "kind": "vat",
            "number": "FV 1/02/2013",
            "issue_date": dt.date(2013, 2, 7),
            "payment_to": None,
            "price_gross": Decimal("36.90"),
            "income": True,
            "client_id": None,
            "created_at": dt.datetime(2013, 2, 7, 10, 30, 0, tzinfo=dt.UTC),
            "positions": [
                {"name": "Produkt X1", "tax": "23", "quantity": Decimal(1), "total_price_gross": Decimal("20.00")},
                {"name": "Produkt X2", "tax": "0", "quantity": Decimal(3), "total_price_gross": Decimal("10.00")},
            ],
        },
        {
            "id": 102,
            "kind": "proforma",
            "number": "PRO 1/02/2013",
            "issue_date": dt.date(2013, 2, 8),
            "payment_to": dt.date(2013, 2, 15),
            "price_gross": Decimal("0.00"),
            "income": False,
            "client_id": 7,
            "created_at": dt.datetime(2013, 2, 8, 9, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "positions": [],
        },
    ]


GOLDEN_INVOICE_LIST = """\
<?xml version="1.0" encoding="UTF-8"?>
<invoices type="array">
  <invoice>
    <id type="integer">101</id>
    <kind>vat</kind>
    <number>FV 1/02/2013</number>
    <issue-date type="date">2013-02-07</issue-date>
    <payment-to type="date" nil="true"/>
    <price-gross type="decimal">36.90</price-gross>
    <income type="boolean">true</income>
    <client-id type="integer" nil="true"/>
    <created-at type="dateTime">2013-02-07T10:30:00Z</created-at>
    <positions type="array">
      <position>
        <name>Produkt X1</name>
        <tax>23</tax>
        <quantity type="decimal">1</quantity>
        <total-price-gross type="decimal">20.00</total-price-gross>
      </position>
      <position>
        <name>Produkt X2</name>
        <tax>0</tax>
        <quantity type="decimal">3</quantity>
        <total-price-gross type="decimal">10.00</total-price-gross>
      </position>
    </positions>
  </invoice>
  <invoice>
    <id type="integer">102</id>
    <kind>proforma</kind>
    <number>PRO 1/02/2013</number>
    <issue-date type="date">2013-02-08</issue-date>
    <payment-to type="date">2013-02-15</payment-to>
    <price-gross type="decimal">0.00</price-gross>
    <income type="boolean">false</income>
    <client-id type="integer">7</client-id>
    <created-at type="dateTime">2013-02-08T09:00:00+01:00</created-at>
    <positions type="array"/>
  </invoice>
</invoices>
"""


# --- rendering ---------------------------------------------------------------------------


def test_invoice_list_renders_as_rails_to_xml() -> None:
    assert render_xml("invoices", _two_invoices(), types=INVOICE_TYPES).decode() == GOLDEN_INVOICE_LIST


def test_single_invoice_renders_dasherized_with_positions_array() -> None:
    invoice = {"kind": "vat", "sell_date": dt.date(2013, 2, 7), "positions": [{"name": "A", "tax": 23}]}
    assert render_xml("invoice", invoice) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<invoice>\n"
        b"  <kind>vat</kind>\n"
        b'  <sell-date type="date">2013-02-07</sell-date>\n'
        b'  <positions type="array">\n'
        b"    <position>\n"
        b"      <name>A</name>\n"
        b'      <tax type="integer">23</tax>\n'
        b"    </position>\n"
        b"  </positions>\n"
        b"</invoice>\n"
    )


def test_nil_values_carry_the_hinted_type_only_when_one_is_given() -> None:
    body = render_xml("invoice", {"payment_to": None, "oid": None}, types={"payment_to": "date"})
    assert body.decode().splitlines()[2:4] == ['  <payment-to type="date" nil="true"/>', '  <oid nil="true"/>']


def test_text_is_escaped_and_empty_string_keeps_open_and_close_tags() -> None:
    body = render_xml("client", {"name": "Kowalski & Syn <\"Best\"> 'sp'", "note": "a\r\nb\x01", "email": ""})
    assert body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<client>\n"
        "  <name>Kowalski &amp; Syn &lt;\"Best\"&gt; 'sp'</name>\n"
        "  <note>a&#13;\nb*</note>\n"
        "  <email></email>\n"
        "</client>\n"
    )


def test_non_ascii_text_stays_utf8() -> None:
    body = render_xml("product", {"name": "Zażółć gęślą jaźń"})
    assert "<name>Zażółć gęślą jaźń</name>".encode() in body
    assert b"&#" not in body


def test_list_item_names_follow_the_singular_of_the_parent() -> None:
    plurals = [
        "invoices", "positions", "clients", "categories", "price_lists", "payments", "banking_payments",
        "departments", "recurrings", "products", "price_list_positions", "addresses",
    ]  # fmt: skip
    assert [singular(name) for name in plurals] == [
        "invoice", "position", "client", "category", "price_list", "payment", "banking_payment",
        "department", "recurring", "product", "price_list_position", "address",
    ]  # fmt: skip
    assert b"<price-list-position>" in render_xml("price_list_positions", [{"id": 1}])
    assert b"<banking-payment>" in render_xml("banking_payments", [{"id": 1}])


def test_item_names_override_the_generic_singular() -> None:
    body = render_xml("people", [{"id": 1}], item_names={"people": "person"})
    assert body.decode().splitlines()[1:3] == ['<people type="array">', "  <person>"]


def test_empty_top_level_list_is_a_self_closed_array() -> None:
    assert render_xml("invoices", []) == b'<?xml version="1.0" encoding="UTF-8"?>\n<invoices type="array"/>\n'


def test_decimal_renders_without_exponent() -> None:
    assert b'<price type="decimal">100</price>' in render_xml("p", {"price": Decimal("1E+2")})


def test_float_is_refused_because_money_must_be_decimal() -> None:
    with pytest.raises(TypeError, match="price: cannot render float"):
        render_xml("product", {"price": 10.23})


def test_key_that_is_not_an_xml_name_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be an XML element name"):
        render_xml("client", {"x><script": "1"})


# --- parsing ------------------------------------------------------------------------------


def test_dasherized_and_underscored_tags_both_become_underscored_keys() -> None:
    body = b"<invoice><sell-date>2013-02-07</sell-date><issue_date>2013-02-08</issue_date></invoice>"
    assert parse_xml(body) == ("invoice", {"sell_date": "2013-02-07", "issue_date": "2013-02-08"})


def test_typed_values_are_converted() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<payment>
  <id type="integer">-12</id>
  <price type="decimal">100.50</price>
  <paid type="boolean">true</paid>
  <deleted type="boolean">0</deleted>
  <paid-date type="date">2013-02-07</paid-date>
  <created-at type="dateTime">2013-02-07T10:30:00Z</created-at>
  <updated-at type="datetime">2013-02-07T10:30:00+01:00</updated-at>
  <description type="string"></description>
  <currency>PLN</currency>
</payment>"""
    assert parse_xml(body) == (
        "payment",
        {
            "id": -12,
            "price": Decimal("100.50"),
            "paid": True,
            "deleted": False,
            "paid_date": dt.date(2013, 2, 7),
            "created_at": dt.datetime(2013, 2, 7, 10, 30, tzinfo=dt.UTC),
            "updated_at": dt.datetime(2013, 2, 7, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "description": "",
            "currency": "PLN",
        },
    )


def test_nil_and_empty_elements() -> None:
    body = b'<client><email nil="true"/><phone></phone><note/><bank-id type="integer"/></client>'
    assert parse_xml(body) == ("client", {"email": None, "phone": "", "note": "", "bank_id": None})


def test_arrays_empty_single_and_with_model_class_item_types() -> None:
    body = b"""<invoice>
  <positions type="array">
    <position type="InvoicePosition"><name>EFECTA</name><quantity type="decimal">38.32</quantity></position>
  </positions>
  <descriptions type="array"/>
  <tags type="array"><tag>a</tag><tag>b</tag></tags>
</invoice>"""
    assert parse_xml(body) == (
        "invoice",
        {
            "positions": [{"name": "EFECTA", "quantity": Decimal("38.32")}],
            "descriptions": [],
            "tags": ["a", "b"],
        },
    )


def test_top_level_array_parses_to_a_list() -> None:
    body = (b'<invoices type="array"><invoice><id type="integer">1</id></invoice>'
            b'<invoice><id type="integer">2</id></invoice></invoices>')
    assert parse_xml(body) == ("invoices", [{"id": 1}, {"id": 2}])


def test_repeated_sibling_tags_without_array_type_become_a_list() -> None:
    body = (b"<invoice><positions><position><name>A</name></position>"
            b"<position><name>B</name></position></positions></invoice>")
    assert parse_xml(body) == ("invoice", {"positions": {"position": [{"name": "A"}, {"name": "B"}]}})


def test_nested_objects_become_dicts() -> None:
    body = b"<invoice><buyer><name>Klient1</name><address><city>Warszawa</city></address></buyer></invoice>"
    assert parse_xml(body) == ("invoice", {"buyer": {"name": "Klient1", "address": {"city": "Warszawa"}}})


def test_seed_002_xml_invoice_create_body() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<invoice>
  <api-token>YOUR_TOKEN_FROM_APP_SETTINGS</api-token>
  <kind>vat</kind>
  <number nil="true"/>
  <sell-date>2013-02-07</sell-date>
  <issue-date>2013-02-07</issue-date>
  <payment-to>2013-02-14</payment-to>
  <seller-name>Wystawca Sp. z o.o.</seller-name>
  <seller-tax-no>5252445767</seller-tax-no>
  <buyer-name>Klient1 Sp. z o.o.</buyer-name>
  <buyer-tax-no>5252445767</buyer-tax-no>
  <positions type="array">
    <position><name>Produkt X1</name><tax>23</tax><total-price-gross>20</total-price-gross><quantity>1</quantity></position>
    <position><name>Produkt X2</name><tax>0</tax><total-price-gross>10</total-price-gross><quantity>3</quantity></position>
  </positions>
</invoice>"""  # noqa: E501 (seed 002's body, verbatim)
    assert parse_xml(body) == (
        "invoice",
        {
            "api_token": "YOUR_TOKEN_FROM_APP_SETTINGS",
            "kind": "vat",
            "number": None,
            "sell_date": "2013-02-07",
            "issue_date": "2013-02-07",
            "payment_to": "2013-02-14",
            "seller_name": "Wystawca Sp. z o.o.",
            "seller_tax_no": "5252445767",
            "buyer_name": "Klient1 Sp. z o.o.",
            "buyer_tax_no": "5252445767",
            "positions": [
                {"name": "Produkt X1", "tax": "23", "total_price_gross": "20", "quantity": "1"},
                {"name": "Produkt X2", "tax": "0", "total_price_gross": "10", "quantity": "3"},
            ],
        },
    )


def test_non_ascii_and_character_references_parse_to_text() -> None:
    body = "<product><name>Zażółć gęślą jaźń &amp; &#322;</name></product>".encode()
    assert parse_xml(body) == ("product", {"name": "Zażółć gęślą jaźń & ł"})


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ('<quantity type="integer">abc</quantity>', "invoice.quantity: 'abc' is not a valid integer"),
        ('<price type="decimal">10,23</price>', "invoice.price: '10,23' is not a valid decimal"),
        ('<price type="decimal">NaN</price>', "invoice.price: 'NaN' is not a valid decimal"),
        ('<paid type="boolean">yes</paid>', "invoice.paid: 'yes' is not a valid boolean"),
        ('<issue-date type="date">2013-02-30</issue-date>', "invoice.issue_date: '2013-02-30' is not a valid date"),
        ('<at type="dateTime">soon</at>', "invoice.at: 'soon' is not a valid dateTime"),
        (
            '<positions type="array"><position><tax type="integer">x</tax></position></positions>',
            "invoice.positions[0].tax: 'x' is not a valid integer",
        ),
    ],
)
def test_invalid_typed_value_is_rejected_naming_the_field(element: str, message: str) -> None:
    with pytest.raises(XmlRejected) as caught:
        parse_xml(f"<invoice>{element}</invoice>".encode())
    assert caught.value.reason == message


def test_rendered_invoice_parses_back_to_the_same_value() -> None:
    invoice = _two_invoices()[0] | {
        "buyer": {"name": "Zażółć & <gęślą>", "note": "line1\r\nline2", "email": ""},
        "tags": ["a", "b"],
        "descriptions": [],
    }
    assert parse_xml(render_xml("invoice", invoice, types=INVOICE_TYPES)) == ("invoice", invoice)


def test_rendered_list_parses_back_to_the_same_list() -> None:
    invoices = _two_invoices()
    assert parse_xml(render_xml("invoices", invoices)) == ("invoices", invoices)


# --- hostile bodies ----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<invoice><kind>&lol9;</kind></invoice>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE kaboom [<!ENTITY a "'
    + b"x" * 100_000
    + b'">]>\n<invoice><kind>'
    + b"&a;" * 20_000
    + b"</kind></invoice>"
)

EXTERNAL_FILE_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<invoice><kind>&xxe;</kind></invoice>"""

EXTERNAL_NETWORK_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE invoice [<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>
<invoice><kind>&net;</kind></invoice>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE invoice [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<invoice><kind>vat</kind></invoice>"""

BARE_DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE invoice>
<invoice><kind>vat</kind></invoice>"""

DTD_REFUSED = "DTDs, entity declarations and external references are not allowed"


def _rejected_quickly(body: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(XmlRejected) as caught:
        parse_xml(body)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05, f"took {elapsed * 1000:.1f} ms"
    return caught.value.reason


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, QUADRATIC_BLOWUP, EXTERNAL_FILE_ENTITY, EXTERNAL_NETWORK_ENTITY, PARAMETER_ENTITY, BARE_DOCTYPE],
    ids=["billion_laughs", "quadratic_blowup", "external_file", "external_network", "parameter_entity", "doctype"],
)
def test_dtd_and_entity_attacks_are_refused_within_50_ms(body: bytes) -> None:
    assert _rejected_quickly(body) == DTD_REFUSED


def test_deep_nesting_is_refused_within_50_ms() -> None:
    body = b"<a>" * 10_000 + b"x" + b"</a>" * 10_000
    assert _rejected_quickly(body) == "XML nested deeper than 32 levels"


def test_nesting_at_the_limit_is_accepted() -> None:
    body = b"<a>" * 3 + b"x" + b"</a>" * 3
    assert parse_xml(body, max_depth=3) == ("a", {"a": {"a": "x"}})
    with pytest.raises(XmlRejected, match="nested deeper than 2 levels"):
        parse_xml(body, max_depth=2)


def test_malformed_xml_is_refused_within_50_ms() -> None:
    assert _rejected_quickly(b"<invoice><kind>vat</invoice>").startswith("malformed XML: mismatched tag")


def test_undefined_entity_reference_is_malformed() -> None:
    assert _rejected_quickly(b"<invoice>&xxe;</invoice>").startswith("malformed XML: undefined entity")


@pytest.mark.parametrize("body", [b"", b"  \n\t "], ids=["empty", "whitespace"])
def test_empty_body_is_refused_within_50_ms(body: bytes) -> None:
    assert _rejected_quickly(body) == "empty XML body"


def test_oversize_body_is_refused_before_parsing() -> None:
    body = b"<invoice><kind>" + b"x" * 2_000 + b"</kind></invoice>"
    with pytest.raises(XmlRejected) as caught:
        parse_xml(body, max_bytes=1_000)
    assert caught.value.reason == "XML body larger than 1000 bytes"


def test_xml_rejected_is_a_value_error_carrying_its_reason() -> None:
    error = XmlRejected("empty XML body")
    assert isinstance(error, ValueError)
    assert (error.reason, str(error)) == ("empty XML body", "empty XML body")


def test_lenient_rendering_leaves_out_keys_that_cannot_be_elements_and_writes_floats_exactly() -> None:
    value = {"name": "A", "0": "dropped", "extra": {"1bad": 1, "ok key": 2, "rate": 0.1, "n": [1.5, {"9": 0}]}}
    body = render_xml("client", value, lenient=True).decode()
    assert "dropped" not in body and "1bad" not in body and "ok key" not in body and "ok-key" not in body
    assert '<rate type="decimal">0.1</rate>' in body and '<n type="decimal">1.5</n>' in body
    with pytest.raises(ValueError):
        render_xml("client", value)
