#!/usr/bin/env bash
# InvoiceOcean recurring invoices (seeds 000 and 001): the definition list, a new definition and its
# update, verbatim; invoice_id 1 and recurrings/111 become a demo invoice and the definition made here.
# The definition is deleted at the end so that a scheduler never issues invoices from it.
source "$(dirname "$0")/../lib.sh"

json_call GET "/invoices.json?api_token=$IO_TOKEN&period=all&kind=vat&per_page=1"
expect_status 200
TEMPLATE=$(json 'd[0]["id"]')

step "Adding a new definition of recurring invoice"
json_call POST /recurrings.json --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "recurring": {
            "name": "Nazwa cyklicznosci",
            "invoice_id": $TEMPLATE,
            "start_date": "2016-01-01",
            "every": "1m",
            "issue_working_day_only": false,
            "send_email": true,
            "buyer_email": "mail1@mail.pl, mail2@mail.pl",
            "end_date": "null"
        }}
JSON
expect_status 201
expect_json 'd["name"]' "Nazwa cyklicznosci"
expect_json 'd["every"]' 1m
expect_json 'd["end_date"]' null
expect_json 'd["invoice_id"]' "$TEMPLATE"
RECURRING=$(json 'd["id"]')

step "Downloading a definition list of recurring invoices"
json_call GET "/recurrings.json?api_token=$IO_TOKEN"
expect_status 200
json_pages "/recurrings.json?api_token=$IO_TOKEN"
expect_true "$RECURRING in [r['id'] for r in d]"

step "Actualizing a definition of recurring invoice"
json_call PUT "/recurrings/$RECURRING.json" --data-binary @- <<JSON
{
        "api_token": "$IO_TOKEN",
        "recurring": {
            "next_invoice_date": "2016-02-01"
        }
    }
JSON
expect_status 200
expect_json 'd["next_invoice_date"]' 2016-02-01

step "(cleanup) deleting the definition"
call DELETE "/recurrings/$RECURRING.json?api_token=$IO_TOKEN"
expect_status 200
json_call GET "/recurrings/$RECURRING.json?api_token=$IO_TOKEN"
expect_status 404
echo "invoiceocean/recurrings ok"
