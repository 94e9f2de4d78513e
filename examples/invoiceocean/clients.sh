#!/usr/bin/env bash
# InvoiceOcean "Clients" (seeds 000 and 001): list, the four searches, one by id, adding and updating,
# payloads verbatim (clients/100 and clients/111 become the client added here).
source "$(dirname "$0")/../lib.sh"

step "Adding clients"
json_call POST /clients.json --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "client": {
            "name": "Klient1",
            "tax_no": "5252445767",
            "bank" : "bank1",
            "bank_account" : "bank_account1",
            "city" : "city1",
            "country" : "",
            "email" : "bank1",
            "person" : "person1",
            "post_code" : "post-code1",
            "phone" : "phone1",
            "street" : "street1",
            "street_no" : "street-no1"
        }}
JSON
expect_status 201
expect_json 'd["name"]' Klient1
expect_json 'd["email"]' bank1
expect_json 'd["street_no"]' street-no1
CLIENT=$(json 'd["id"]')
# The seed's searches use placeholders; each is filled with what this client holds.
SHORTCUT=ex$RANDOM$RANDOM
json_call PUT "/clients/$CLIENT.json" --data-binary "{\"api_token\":\"$IO_TOKEN\",\"client\":{\"shortcut\":\"$SHORTCUT\"}}"
expect_status 200

step "Clients list"
json_call GET "/clients.json?api_token=$IO_TOKEN&page=1"
expect_status 200
expect_true 'isinstance(d, list) and len(d) >= 1'

step "Searching clients by name, e-mail, shortcut or tax no."
json_pages "/clients.json?api_token=$IO_TOKEN&name=Klient1"
expect_true "$CLIENT in [c['id'] for c in d] and all('Klient1' in c['name'] for c in d)"
json_pages "/clients.json?api_token=$IO_TOKEN&email=bank1"
expect_true "$CLIENT in [c['id'] for c in d]"
json_call GET "/clients.json?api_token=$IO_TOKEN&shortcut=$SHORTCUT"
expect_status 200
expect_json '[c["id"] for c in d]' "[$CLIENT]"
json_pages "/clients.json?api_token=$IO_TOKEN&tax_no=5252445767"
expect_true "$CLIENT in [c['id'] for c in d] and all(c['tax_no'].replace('-', '') == '5252445767' for c in d)"

step "Get selected client by ID"
json_call GET "/clients/$CLIENT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["name"]' Klient1

step "Client update"
json_call PUT "/clients/$CLIENT.json" --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "client": {
            "name": "Klient2",
            "tax_no": "52524457672",
            "bank" : "bank2",
            "bank_account" : "bank_account2",
            "city" : "city2",
            "country" : "PL",
            "email" : "bank2",
            "person" : "person2",
            "post_code" : "post-code2",
            "phone" : "phone2",
            "street" : "street2",
            "street_no" : "street-no2"
        }}
JSON
expect_status 200
expect_json 'd["name"]' Klient2
expect_json 'd["country"]' PL
expect_json 'd["tax_no"]' 52524457672

step "(cleanup) deleting the client"
call DELETE "/clients/$CLIENT.json?api_token=$IO_TOKEN"
expect_status 200
echo "invoiceocean/clients ok"
