#!/usr/bin/env bash
# INVO "Contractors" (seed 003): add, list by name, edit, delete; "id":99 and "id":345 become the
# contractor added here.
source "$(dirname "$0")/../lib.sh"

step "Adding a contractor"
invo customers '{ "action":"add", "symbol":"K1", "name":"Jan Kowalski", "street":"Korfantego 100", "code":"40-154", "city":"Katowice", "taxid":"645-123-45-67", "bname":"mBank", "baccount":"00 1111 2222 3333 4444 5555" }'
expect_status 200
expect_true 'd["id"] >= 1'
ID=$(json 'd["id"]')

step "List of contractors"
invo customers '{ "action":"list", "name":"%kowalski%", "icase":1 }'
expect_true "$ID in [r['id'] for r in d['rows']]"
invo customers "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["rows"][0]["taxid"]' 645-123-45-67
expect_json 'd["rows"][0]["baccount"]' "00 1111 2222 3333 4444 5555"
step "Resources: customers { \"action\":\"list\", \"search\":\"kowalski\" }"
invo customers '{ "action":"list", "search":"kowalski" }'
expect_true "$ID in [r['id'] for r in d['rows']]"

step "Changing the data of the contractor (only the fields given change)"
invo customers "{ \"action\":\"edit\", \"id\":$ID, \"symbol\":\"K2\", \"name\":\"Jan Iksiński\", \"street\":\"Korfantego 101\" }"
expect_json 'd["id"]' "$ID"
invo customers "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["rows"][0]["name"]' "Jan Iksiński"
expect_json 'd["rows"][0]["symbol"]' K2
expect_json 'd["rows"][0]["city"]' Katowice

step "Removal of the contractor"
invo customers "{ \"action\":\"delete\", \"id\":$ID }"
expect_json 'd["id"]' "$ID"
invo customers "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["error"]' 6
echo "invo/customers ok"
