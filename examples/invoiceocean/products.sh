#!/usr/bin/env bash
# InvoiceOcean "Products" (seeds 000 and 001): list (also with warehouse_id), one by id (also with
# warehouse_id), adding and updating, payloads verbatim; products/100 and /333 become the product added here.
source "$(dirname "$0")/../lib.sh"
WAREHOUSE_ID=1  # the gateway keeps one stock level per product; any warehouse id shows it

step "Adding products"
json_call POST /products.json --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "product": {
            "name": "PoroductAA",
            "code": "A001",
            "price_net": "100",
            "tax": "23"
        }}
JSON
expect_status 201
expect_json 'd["price_net"]' 100.00
expect_json 'd["price_gross"]' 123.00
PRODUCT=$(json 'd["id"]')

step "Products list"
json_call GET "/products.json?api_token=$IO_TOKEN&page=1"
expect_status 200
expect_true 'isinstance(d, list) and len(d) >= 1'
step "Products list with storage quantities for a specific magazine"
json_call GET "/products.json?api_token=$IO_TOKEN&warehouse_id=$WAREHOUSE_ID&page=1"
expect_status 200
expect_true 'all("stock_level" in p for p in d)'

step "Get selected product by ID"
json_call GET "/products/$PRODUCT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["code"]' A001
step "Get selected product by ID with storage quantity for a specific magazine"
json_call GET "/products/$PRODUCT.json?api_token=$IO_TOKEN&warehouse_id=$WAREHOUSE_ID"
expect_status 200
expect_true '"stock_level" in d'

step "Product update (net price follows from gross and tax)"
json_call PUT "/products/$PRODUCT.json" --data-binary @- <<JSON
{"api_token": "$IO_TOKEN",
        "product": {
            "name": "PoroductAA2",
            "code": "A0012",
            "price_gross": "102",
	    "tax": "23"
        }}
JSON
expect_status 200
expect_json 'd["name"]' PoroductAA2
expect_json 'd["price_gross"]' 102.00
expect_json 'd["price_net"]' 82.93

step "(cleanup) deleting the product"
call DELETE "/products/$PRODUCT.json?api_token=$IO_TOKEN"
expect_status 200
echo "invoiceocean/products ok"
