#!/usr/bin/env bash
# INVO "Products" (seed 003): add, list by name, edit, delete; "id":99 and "id":345 become the
# product added here.
source "$(dirname "$0")/../lib.sh"

step "Adding a product (gross 1500.00 at 23%: net 1219.51)"
invo products '{ "action":"add", "type":0, "symbol":"Dell 3531", "name":"Laptop Dell Inspiron 3531", "desc":"Ekran 15.6'"''"' HD, Intel Celeron N2830, 4GB RAM/500GB HDD, Bateria 6.25 h", "pkwiu":"26.20.11", "vatsm":"23%", "unitsm":"szt.", "brutto":1500.00 }'
expect_status 200
ID=$(json 'd["id"]')
invo products "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["rows"][0]["pbrutto"]' 1500.0
expect_json 'd["rows"][0]["pnetto"]' 1219.51
expect_json 'd["rows"][0]["desc"]' "Ekran 15.6'' HD, Intel Celeron N2830, 4GB RAM/500GB HDD, Bateria 6.25 h"

step "List of products"
invo products '{ "action":"list", "name":"%laptop dell%", "icase":1 }'
expect_true "$ID in [r['id'] for r in d['rows']]"

step "Change of product data"
invo products "{ \"action\":\"edit\", \"id\":$ID, \"symbol\":\"D3531\", \"name\":\"Dell Inspiron 3531\", \"brutto\":1249.00 }"
expect_json 'd["id"]' "$ID"
invo products "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["rows"][0]["name"]' "Dell Inspiron 3531"
expect_json 'd["rows"][0]["pbrutto"]' 1249.0
expect_json 'd["rows"][0]["pkwiu"]' 26.20.11

step "Product removal"
invo products "{ \"action\":\"delete\", \"id\":$ID }"
expect_json 'd["id"]' "$ID"
invo products "{ \"action\":\"list\", \"id\":$ID }"
expect_json 'd["error"]' 6
echo "invo/products ok"
