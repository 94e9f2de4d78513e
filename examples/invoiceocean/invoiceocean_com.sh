#!/usr/bin/env bash
# Seed 002, the invoiceocean.com/API page: every example there, each in its XML and JSON twin where the
# page shows both ("All examples work with JSON, too - just change XML to JSON"). The page lost its URLs
# and XML tags when it was saved; they are restored from seed 001 and the values the page kept.
# `curl -u 'login:YOUR_PASSWORD` (quote unclosed in the seed) is the INVO login and password: InvoiceOcean
# also takes the account user's HTTP Basic credentials.
source "$(dirname "$0")/../lib.sh"

step "Add new invoice - JSON (recommended)"
json_call POST /invoices.json --data-binary @- <<JSON
{ "api_token": "$IO_TOKEN", "invoice": { "kind":"vat", "number": null, "sell_date": "2013-02-07", "issue_date": "2013-02-07", "payment_to": "2013-02-14", "seller_name": "Wystawca Sp. z o.o.", "seller_tax_no": "5252445767", "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767", "positions":[ {"name":"Produkt A1", "tax":23, "total_price_gross":10.23, "quantity":1}, {"name":"Produkt A2", "tax":0, "total_price_gross":50, "quantity":3} ] }}
JSON
expect_status 201
expect_json 'd["price_gross"]' 60.23
expect_json 'd["sell_date"]' 2013-02-07
FIRST=$(json 'd["id"]')

step "If you have a certain client (client_id) and a seller (department_id)"
json_call GET "/departments.json?api_token=$IO_TOKEN"
DEPARTMENT=$(json '[dep["id"] for dep in d if dep["main"]][0]')
json_call GET "/clients.json?api_token=$IO_TOKEN&email=biuro@klient1.example"
CLIENT=$(json 'd[0]["id"]')
json_call POST /invoices.json -u "$INVO_LOGIN:$INVO_PASSWORD" --data-binary @- <<JSON
{"api_token": "$IO_TOKEN", "invoice": { "kind":"vat", "number": null, "sell_date": "2013-02-07", "issue_date": "2013-02-07", "payment_to": "2013-02-14", "department_id": $DEPARTMENT, "client_id": $CLIENT, "buyer_name": "Klient1 Sp. z o.o.", "buyer_tax_no": "5252445767", "positions":[ {"name":"Produkt A1", "tax":23, "total_price_gross":10.23, "quantity":1}, {"name":"Produkt A2", "tax":0, "total_price_gross":50, "quantity":3} ] }}
JSON
expect_status 201
expect_json 'd["client_id"]' "$CLIENT"
expect_json 'd["department_id"]' "$DEPARTMENT"
expect_json 'd["price_gross"]' 60.23
BY_IDS=$(json 'd["id"]')

step "Add new invoice - XML (HTTP Basic, no api_token)"
xml_call POST /invoices.xml -u "$INVO_LOGIN:$INVO_PASSWORD" --data-binary @- <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<invoice>
  <kind>vat</kind>
  <sell-date>2013-02-07</sell-date>
  <issue-date>2013-02-07</issue-date>
  <payment-to>2013-02-14</payment-to>
  <seller-name>Wystawca Sp. z o.o.</seller-name>
  <seller-tax-no>5252445767</seller-tax-no>
  <buyer-name>Klient1 Sp. z o.o.</buyer-name>
  <buyer-tax-no>5252445767</buyer-tax-no>
  <positions>
    <position><name>Produkt X1</name><tax>23</tax><total-price-gross>20</total-price-gross><quantity>1</quantity></position>
    <position><name>Produkt X2</name><tax>0</tax><total-price-gross>10</total-price-gross><quantity>3</quantity></position>
  </positions>
</invoice>
XML
expect_status 201
expect_xml price-gross 30.00
expect_xml buyer-name "Klient1 Sp. z o.o."
XML_INVOICE=$(xml_text id)

step "Select all invoices from a selected time period: current month (XML, JSON)"
ORDER=zamowienie$RANDOM$RANDOM
json_call POST /invoices.json --data-binary "{\"api_token\":\"$IO_TOKEN\",\"invoice\":{\"oid\":\"$ORDER\",\"client_id\":$CLIENT,\"positions\":[{\"name\":\"Produkt A1\",\"tax\":23,\"total_price_gross\":10.23,\"quantity\":1}]}}"
expect_status 201
CURRENT=$(json 'd["id"]')
call GET "/invoices.xml?period=this_month&api_token=$IO_TOKEN"
expect_status 200
XML_IDS=$(xml_all invoice/id)
json_call GET "/invoices.json?period=this_month&api_token=$IO_TOKEN"
expect_status 200
expect_json '[str(i["id"]) for i in d]' "$XML_IDS"
json_pages "/invoices.json?period=this_month&api_token=$IO_TOKEN"
expect_true "$CURRENT in [i['id'] for i in d] and $FIRST not in [i['id'] for i in d]"

step "Select invoice by ID (XML, JSON)"
call GET "/invoices/$FIRST.xml?api_token=$IO_TOKEN"
expect_status 200
expect_xml price-gross 60.23
json_call GET "/invoices/$FIRST.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["price_gross"]' 60.23

step "Downloading your invoice for Order ID (XML, JSON)"
call GET "/invoices.xml?oid=$ORDER&api_token=$IO_TOKEN"
expect_status 200
expect_xml oid "$ORDER"
json_call GET "/invoices.json?oid=$ORDER&api_token=$IO_TOKEN"
expect_status 200
expect_json '[i["id"] for i in d]' "[$CURRENT]"

step "Deleting an invoice (XML, JSON)"
call DELETE "/invoices/$XML_INVOICE.xml?api_token=$IO_TOKEN"
expect_status 200
expect_xml code success
for id in $FIRST $BY_IDS $CURRENT; do
  call DELETE "/invoices/$id.json?api_token=$IO_TOKEN"
  expect_status 200
  expect_json 'd["code"]' success
done

step "Products / services, and select product using their ID"
json_call GET "/products.json?api_token=$IO_TOKEN"
expect_status 200
PRODUCT=$(json 'd[0]["id"]')
json_call GET "/products/$PRODUCT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["id"]' "$PRODUCT"

step "Clients, and select client using their ID"
json_call GET "/clients.json?api_token=$IO_TOKEN"
expect_status 200
expect_true "$CLIENT in [c['id'] for c in d]"
json_call GET "/clients/$CLIENT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["email"]' biuro@klient1.example

step "Get client by e-mail and password (no client has this password: the legacy text answer)"
call GET "/clients/check?api_token=$IO_TOKEN&email=biuro@klient1.example&password=not-the-password"
expect_status 200
[ "$BODY" = "brak klienta" ] || fail "expected 'brak klienta', got: $BODY"
echo "   ok: brak klienta"

step "Adding new payment - JSON (recommended), the \"payment\" wrapper"
json_call POST /banking/payments.json --data-binary @- <<JSON
{ "api_token": "$IO_TOKEN", "payment": { "city": null, "client_id":null, "comment":null, "country":null, "currency":"PLN", "deleted":false, "department_id":null, "description":"abonament roczny", "email":"", "first_name":"Jan", "generate_invoice":true, "invoice_city":"Warszawa", "invoice_comment":"", "invoice_country":null, "invoice_id":null, "invoice_name":"Company name", "invoice_post_code":"00-112", "invoice_street":"street 52", "invoice_tax_no":"5252445767", "last_name":"Kowalski", "name":"Plantnosc za produkt1", "oid":"", "paid":true, "paid_date":null, "phone":null, "post_code":null, "price":"100.00", "product_id":$PRODUCT, "promocode":"", "provider":"transfer", "provider_response":null, "provider_status":null, "provider_title":null, "quantity":1, "street":null }}
JSON
expect_status 201
expect_json 'd["price"]' 100.00
expect_json 'd["deleted"]' false
PAYMENT=$(json 'd["id"]')

step "Payments (XML, JSON) and select payment using their ID (XML, JSON)"
call GET "/banking/payments.xml?api_token=$IO_TOKEN"
expect_status 200
XML_IDS=$(xml_all banking-payment/id)
json_call GET "/banking/payments.json?api_token=$IO_TOKEN"
expect_status 200
expect_json '[str(p["id"]) for p in d]' "$XML_IDS"
json_pages "/banking/payments.json?api_token=$IO_TOKEN"
expect_true "$PAYMENT in [p['id'] for p in d]"
call GET "/banking/payments/$PAYMENT.xml?api_token=$IO_TOKEN"
expect_status 200
expect_xml price 100.00
json_call GET "/banking/payment/$PAYMENT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["name"]' "Plantnosc za produkt1"
echo "invoiceocean/invoiceocean_com ok"
