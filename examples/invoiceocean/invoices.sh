#!/usr/bin/env bash
# InvoiceOcean, "Invoices - examples of calling" (seeds 000 and 001), every example in the order of the
# seed, plus "Link to invoice preview and PDF download". Payloads are the seed's; only the host, the token
# and ids that must exist in the account are substituted (ids 100 and 111 become invoices made here).
source "$(dirname "$0")/../lib.sh"

step "Adding a new invoice"
json_call POST /invoices.json --data-binary @- <<JSON
{
        "api_token": "$IO_TOKEN",
        "invoice": {
            "kind":"vat", 
            "number": null, 
            "sell_date": "2013-01-16", 
            "issue_date": "2013-01-16", 
            "payment_to": "2013-01-23",
            "seller_name": "Wystawca Sp. z o.o.", 
            "seller_tax_no": "5252445767", 
            "buyer_name": "Klient1 Sp. z o.o.",
            "buyer_tax_no": "5252445767",
            "positions":[
                {"name":"Produkt A1", "tax":23, "total_price_gross":10.23, "quantity":1},
                {"name":"Produkt A2", "tax":0, "total_price_gross":50, "quantity":3}
            ]       
        }
    }
JSON
expect_status 201
expect_json 'd["price_net"]' 58.32
expect_json 'd["price_tax"]' 1.91
expect_json 'd["price_gross"]' 60.23
expect_json 'd["issue_date"]' 2013-01-16
INVOICE=$(json 'd["id"]')
FIRST_POSITION=$(json 'd["positions"][0]["id"]')

step "Adding a new invoice - the minimal version (department, client and product by id)"
json_call GET "/departments.json?api_token=$IO_TOKEN"
expect_status 200
DEPARTMENT=$(json 'd[0]["id"]')
json_call GET "/clients.json?api_token=$IO_TOKEN&email=faktury@zazolc.example"
expect_status 200
CLIENT=$(json 'd[0]["id"]')
json_call GET "/products.json?api_token=$IO_TOKEN&page=1"
expect_status 200
PRODUCT=$(json 'd[0]["id"]')
json_call POST /invoices.json --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "invoice": {
            "payment_to_kind": 5,
            "department_id": $DEPARTMENT, 
            "client_id": $CLIENT,
            "positions":[
                {"product_id": $PRODUCT, "quantity":2}
            ]
        }}
JSON
expect_status 201
expect_json 'd["kind"]' vat
expect_json 'd["issue_date"]' "$(today)"
expect_json 'd["payment_to"]' "$(python3 -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(days=5))' "$(today)")"
expect_json 'd["client_id"]' "$CLIENT"
expect_json 'd["positions"][0]["quantity"]' 2.0
TODAYS=$(json 'd["id"]')

step "Downloading a list of invoices from current month"
json_pages "/invoices.json?period=this_month&api_token=$IO_TOKEN"
expect_true "$TODAYS in [i['id'] for i in d]"
expect_true "$INVOICE not in [i['id'] for i in d]"  # issued 2013-01-16

step "Additional parameters: every period= value (more takes date_from and date_to)"
for period in last_12_months this_month last_30_days last_month this_year last_year all; do
  json_call GET "/invoices.json?period=$period&api_token=$IO_TOKEN&page=1"
  expect_status 200
  expect_true 'isinstance(d, list)'
done
json_pages "/invoices.json?period=more&date_from=2013-01-16&date_to=2013-01-16&api_token=$IO_TOKEN"
expect_true "$INVOICE in [i['id'] for i in d] and all(i['issue_date'] == '2013-01-16' for i in d)"
json_call GET "/invoices.json?period=this_month&api_token=$IO_TOKEN&page=2&per_page=1"
expect_status 200
expect_true 'len(d) <= 1'

step "Specific client's invoices"
json_call GET "/invoices.json?client_id=$CLIENT&api_token=$IO_TOKEN&page=1"
expect_status 200
expect_true "d and all(i['client_id'] == $CLIENT for i in d)"
json_pages "/invoices.json?client_id=$CLIENT&api_token=$IO_TOKEN"
expect_true "all(i['client_id'] == $CLIENT for i in d) and $TODAYS in [i['id'] for i in d]"

step "Downloading invoices by ID"
json_call GET "/invoices/$INVOICE.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["id"]' "$INVOICE"
expect_json 'd["buyer_name"]' "Klient1 Sp. z o.o."

step "Downloading as PDF"
call GET "/invoices/$INVOICE.pdf?api_token=$IO_TOKEN"
expect_status 200
expect_pdf
step "Other PDF options"
for option in original copy original_and_copy duplicate; do
  call GET "/invoices/$INVOICE.pdf?api_token=$IO_TOKEN&print_option=$option"
  expect_status 200
  expect_pdf
done

step "Sending invoices by email to a client"
call POST "/invoices/$TODAYS/send_by_email.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["status"]' ok
json_call GET "/invoices/$TODAYS.json?api_token=$IO_TOKEN"
expect_json 'd["status"]' sent

# The seed's payload; $1 ends the from_invoice_id value: the seed prints `"2432393,` (no closing quote).
correction() {
  cat <<JSON
{"api_token": "$IO_TOKEN",
        "invoice": {
            "kind": "correction",
            "from_invoice_id": "$INVOICE$1,
            "client_id": $CLIENT,
            "positions":[
                {"name": "Product A1",
                "quantity":-1,
                "total_price_gross":"-10",
                "tax":"23",
                "correction_before_attributes": {
                    "name":"Product A1",
                    "quantity":"2",
                    "total_price_gross":"20",
                    "tax":"23",
                    "kind":"correction_before"
                },
                "correction_after_attributes": {
                    "name":"Product A1",
                    "quantity":"1",
                    "total_price_gross":"10",
                    "tax":"23",
                    "kind":"correction_after"
                }
            }]
        }}
JSON
}
step "Adding a new correction invoice, as printed: malformed JSON gets InvoiceOcean's 400"
json_call POST /invoices.json --data-binary "$(correction "")"
expect_status 400
expect_json 'd["code"]' error
step "Adding a new correction invoice, with the closing quote"
json_call POST /invoices.json --data-binary "$(correction '"')"
expect_status 201
expect_json 'd["kind"]' correction
expect_json 'd["from_invoice_id"]' "$INVOICE"
expect_json 'd["price_gross"]' -10.00
CORRECTION=$(json 'd["id"]')

step "Invoice update"
json_call PUT "/invoices/$INVOICE.json" --data-binary @- <<JSON
{
        "api_token": "$IO_TOKEN",
        "invoice": {
            "buyer_name": "New client name Ltd."
        }
    }
JSON
expect_status 200
expect_json 'd["buyer_name"]' "New client name Ltd."

step "Invoice position update - invoice position id must be specified"
json_call PUT "/invoices/$INVOICE.json" --data-binary @- <<JSON
{
        "api_token": "$IO_TOKEN",
        "invoice": {
            "positions": [{"id":$FIRST_POSITION, "name":"test"}]
        }
    }
JSON
expect_status 200
expect_json "[p['name'] for p in d['positions'] if p['id'] == $FIRST_POSITION][0]" test
expect_json 'd["price_gross"]' 60.23

step "Invoice position deletion - invoice position id must be specified"
json_call PUT "/invoices/$INVOICE.json" --data-binary @- <<JSON
{
        "api_token": "$IO_TOKEN",
        "invoice": {
            "positions": [{"id":$FIRST_POSITION, "_destroy":1}]
        }
    }
JSON
expect_status 200
expect_json 'len(d["positions"])' 1
expect_json 'd["price_gross"]' 50.00

step "Changing invoice status"
call POST "/invoices/$INVOICE/change_status.json?api_token=$IO_TOKEN&status=paid"
expect_status 200
expect_json 'd["code"]' success
json_call GET "/invoices/$INVOICE.json?api_token=$IO_TOKEN"
expect_json 'd["status"]' paid

step "Link to invoice preview and PDF download"
json_call GET "/invoices/$INVOICE.json?api_token=$IO_TOKEN"
TOKEN=$(json 'd["token"]')
call GET "/invoice/$TOKEN"
expect_status 200
expect_contains "New client name Ltd."
call GET "/invoice/$TOKEN.pdf"
expect_status 200
expect_pdf

step "Deleting an invoice"
call DELETE "/invoices/$CORRECTION.json?api_token=$IO_TOKEN"
expect_status 200
call DELETE "/invoices/$INVOICE.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["code"]' success
json_call GET "/invoices/$INVOICE.json?api_token=$IO_TOKEN"
expect_status 404
call GET "/invoice/$TOKEN"
expect_status 404
echo "invoiceocean/invoices ok"
