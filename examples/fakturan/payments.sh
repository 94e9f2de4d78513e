#!/usr/bin/env bash
# fakturan.nu API v2 "Payments" (seed 004): add a payment with only paid_at (the whole sum is paid), and
# list an invoice's payments (the seed's two payments of 100.0 and 200.0). Invoices 4 and 5 are made here.
source "$(dirname "$0")/../lib.sh"

fk GET "/api/v2/clients?org_number=556677-8899"
GOOGLE=$(json 'd["data"][0]["id"]')
new_invoice() {
  fk POST /api/v2/invoices --data-binary "{\"client_id\": $GOOGLE, \"date\": \"2021-01-25\",
    \"rows\": [{\"product_name\": \"My product\", \"product_tax\": 25, \"product_price\": \"100\", \"amount\": \"10\"}]}"
  expect_status 201
  expect_json 'd["data"]["sum"]' 1250.0
}

step "Add payment: POST /api/v2/invoices/4/payments {\"paid_at\": \"2021-01-25\"}"
new_invoice
INVOICE=$(json 'd["data"]["id"]')
fk POST "/api/v2/invoices/$INVOICE/payments" --data-binary '{
  "paid_at": "2021-01-25"
}'
expect_status 201
expect_json 'd["data"]["paid_at"]' 2021-01-25
expect_json 'd["data"]["amount"]' 1250.0
expect_json 'd["data"]["invoice_id"]' "$INVOICE"
fk GET "/api/v2/invoices/$INVOICE"
expect_json 'd["data"]["paid_at"]' 2021-01-25

step "List payments: GET /api/v2/invoices/5/payments"
new_invoice
INVOICE=$(json 'd["data"]["id"]')
for amount in 100 200; do
  fk POST "/api/v2/invoices/$INVOICE/payments" --data-binary "{\"paid_at\": \"2021-01-25\", \"amount\": \"$amount\"}"
  expect_status 201
done
fk GET "/api/v2/invoices/$INVOICE/payments"
expect_status 200
expect_json '[(p["paid_at"], p["amount"], p["invoice_id"]) for p in d["data"]]' \
  "[[\"2021-01-25\", \"100.0\", $INVOICE], [\"2021-01-25\", \"200.0\", $INVOICE]]"
expect_json 'd["paging"]' '{"total_pages": 1, "current_page": 1, "next": null, "previous": null}'
fk GET "/api/v2/invoices/$INVOICE"
expect_json 'd["data"]["paid_at"]' null
echo "fakturan/payments ok"
