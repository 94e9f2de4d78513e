#!/usr/bin/env bash
# The README's five-minute tour as a script: one invoice written through InvoiceOcean, then read, paid
# and printed through INVO and fakturan.nu. Exits non-zero on any unexpected answer.
source "$(dirname "$0")/lib.sh"

step "1. InvoiceOcean: the seed document's invoice"
json_call POST /invoices.json --data-binary @- <<JSON
{"api_token":"$IO_TOKEN",
  "invoice":{"kind":"vat","buyer_name":"Klient1 Sp. z o.o.","buyer_tax_no":"5252445767","buyer_email":"biuro@klient1.example",
  "positions":[{"name":"Produkt A1","tax":23,"total_price_gross":10.23,"quantity":1},
               {"name":"Produkt A2","tax":0,"total_price_gross":50,"quantity":3}]}}
JSON
expect_status 201
expect_json 'd["price_net"]' 58.32
expect_json 'd["price_tax"]' 1.91
expect_json 'd["price_gross"]' 60.23
ID=$(json 'd["id"]')
NUMBER=$(json 'd["number"]')

step "2. INVO: the same invoice, as rows"
call POST /api.json -u "$INVO_LOGIN:$INVO_PASSWORD" -d 'r=invoices' \
  --data-urlencode "q={\"action\":\"list\",\"id\":$ID,\"items\":1}"
expect_json 'd["rows"][0]["nrdoc"]' "$NUMBER"
expect_json 'd["rows"][0]["vbrutto"]' 60.23
expect_json 'len(d["rows"][0]["items"])' 2

step "3. fakturan.nu: and again, in its envelope; then paid"
call GET "/api/v2/invoices/$ID" -u "$FK_KEY:$FK_PASSWORD"
expect_status 200
expect_json 'd["data"]["sum"]' 60.23
expect_json 'd["data"]["address"]["name"]' "Klient1 Sp. z o.o."
call POST "/api/v2/invoices/$ID/payments" -u "$FK_KEY:$FK_PASSWORD" -H 'Content-Type: application/json' \
  -d '{"paid_at":"2025-01-31"}'
expect_status 201

step "4. InvoiceOcean again: paid, and its PDF"
call GET "/invoices/$ID.json?api_token=$IO_TOKEN"
expect_json 'd["status"]' paid
call GET "/invoices/$ID.pdf?api_token=$IO_TOKEN"
expect_status 200
expect_pdf
echo "tour ok"
