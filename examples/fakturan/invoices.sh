#!/usr/bin/env bash
# fakturan.nu API v2 "Invoices" (seed 004): create (to an existing client, invalid, to a new client),
# update, show, list with its filters, send. "client_id": 1 becomes the demo's "Google Inc" (the seed's
# client); /invoices/10, /11 and /8 and row 14 become invoices and rows made here.
source "$(dirname "$0")/../lib.sh"

fk GET "/api/v2/clients?org_number=556677-8899"
GOOGLE=$(json 'd["data"][0]["id"]')

step "Create an invoice to an existing client (2000.0 + 250.0 + 120.0 = 2370.0)"
fk POST /api/v2/invoices --data-binary @- <<JSON
{
  "client_id": $GOOGLE,
  "rows": [
    {
      "product_name": "My product",
      "product_tax": 25,
      "product_price": "100",
      "amount": "10"
    },
    {
      "product_name": "My product 2",
      "product_tax": 12,
      "product_price": "100",
      "amount": "10 st"
    },
    {
      "text": "Some arbitrary text",
      "text_row": true
    }
  ]
}
JSON
expect_status 201
expect_json 'd["data"]["sum"]' 2370.0
expect_json 'd["data"]["net"]' 2000.0
expect_json 'd["data"]["tax"]' 370.0
expect_json 'd["data"]["tax_details"]' '{"25": "250.0", "12": "120.0"}'
expect_json 'd["data"]["address"]["zip_code"]' "940 43"
expect_json '[(r["amount"], r["product_price"], r["product_tax"], r["text_row"], r["sort_order"]) for r in d["data"]["rows"]]' \
  '[["10.0", "100.0", 25, false, 0], ["10.0", "100.0", 12, false, 1], ["0.0", "0.0", 0, true, 2]]'
expect_json 'd["data"]["rows"][2]["text"]' "Some arbitrary text"
expect_json 'd["data"]["sent"]' false
EXISTING=$(json 'd["data"]["id"]')
FIRST_ROW=$(json 'd["data"]["rows"][0]["id"]')

step "Invalid invoice: 422, nothing written"
fk GET "/api/v2/invoices?per_page=1"
BEFORE=$(json 'd["paging"]["total_pages"]')
fk POST /api/v2/invoices --data-binary @- <<'JSON'
{
  "client_id": 0,
  "date": "",
  "rows": [
    {
      "product_code": "ABCD-ABCD-ABCD-ABCD-ABCD-ABCD-ABCD-"
    }
  ]
}
JSON
expect_status 422
expect_json 'd' '{"errors": {"client_id": [{"error": "blank"}], "rows": [{"0": {"rows.product_code": [{"error": "too_long", "count": 30}]}}]}}'
fk GET "/api/v2/invoices?per_page=1"
expect_json 'd["paging"]["total_pages"]' "$BEFORE"

step "Create an invoice to a new client"
fk POST /api/v2/invoices --data-binary @- <<'JSON'
{
  "date": "2021-01-25",
  "client": {
    "company": "Google",
    "address": {
      "street_address": "1600 Amphitheatre Parkway",
      "zip_code": "94043",
      "city": "Mountain View",
      "country": "SE"
    }
  },
  "rows": [
    {
      "product_name": "My product",
      "product_tax": 25,
      "product_price": "100",
      "amount": "10"
    }
  ]
}
JSON
expect_status 201
expect_json 'd["data"]["date"]' 2021-01-25
expect_json 'd["data"]["sum"]' 1250.0
expect_json 'd["data"]["address"]["name"]' Google
expect_true "d['data']['client_id'] != $GOOGLE"
NEW_CLIENT_INVOICE=$(json 'd["data"]["id"]')
NEW_CLIENT=$(json 'd["data"]["client_id"]')
fk GET "/api/v2/clients/$NEW_CLIENT"
expect_json 'd["data"]["name"]' Google

step "Update an existing invoice: 204"
fk PUT "/api/v2/invoices/$EXISTING" --data-binary @- <<JSON
{
  "date": "2021-01-26",
  "rows": [
    {
      "id": $FIRST_ROW,
      "product_name": "Updated name"
    }
  ]
}
JSON
expect_status 204

step "Show an invoice"
fk GET "/api/v2/invoices/$EXISTING"
expect_status 200
expect_json 'd["data"]["date"]' 2021-01-26
expect_json '[r["product_name"] for r in d["data"]["rows"]]' '["Updated name", "My product 2", ""]'
expect_json 'd["data"]["sum"]' 2370.0

step "List invoices (client_id, number, start_date/end_date, sort)"
fk GET "/api/v2/invoices?client_id=$NEW_CLIENT"
expect_status 200
expect_json '[i["id"] for i in d["data"]]' "[$NEW_CLIENT_INVOICE]"
NUMBER=$(json 'd["data"][0]["number"]')
fk GET "/api/v2/invoices?number=$NUMBER"
expect_true "$NEW_CLIENT_INVOICE in [i['id'] for i in d['data']] and all(i['number'] == $NUMBER for i in d['data'])"
fk GET "/api/v2/invoices?start_date=2021-01-25&end_date=2021-01-26&sort=-date,-number"
expect_true 'all("2021-01-25" <= i["date"] <= "2021-01-26" for i in d["data"])'
expect_true '[(i["date"], i["number"]) for i in d["data"]] == sorted(((i["date"], i["number"]) for i in d["data"]), reverse=True)'
fk GET "/api/v2/invoices?client_id=$GOOGLE&start_date=2021-01-26&end_date=2021-01-26&per_page=100"
expect_true "$EXISTING in [i['id'] for i in d['data']]"

step "Send an invoice to a client without an e-mail address: 422"
fk POST "/api/v2/invoices/$NEW_CLIENT_INVOICE/send"
expect_status 422
expect_json 'd' '{"error": "You must select at least one recipient."}'
step "Send an invoice by e-mail (the client has an address)"
fk POST "/api/v2/invoices/$EXISTING/send" --data-binary '{"delivery_method": "email"}'
expect_status 200
expect_json 'd["data"]["sent"]' true
echo "fakturan/invoices ok"
