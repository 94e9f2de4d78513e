#!/usr/bin/env bash
# InvoiceOcean "Price lists" (seeds 000 and 001): list, add, update, delete. "priceable_id": "Product ID"
# becomes a demo product's id; price_lists/100 becomes the list added here.
source "$(dirname "$0")/../lib.sh"

json_call GET "/products.json?api_token=$IO_TOKEN&page=1"
PRODUCT=$(json 'd[0]["id"]')

step "Adding price list"
json_call POST /price_lists.json --data-binary @- <<JSON
{
                "api_token": "$IO_TOKEN",
                "price_list": {
                    "name": "Price list name",
		    "description": "Description",
		    "currency": "EUR",
                    "price_list_positions_attributes": {
		    	"0": {
				"priceable_id": "$PRODUCT",
				"priceable_name": "Product name",
				"priceable_type": "Product",
				"use_percentage": "0",
				"percentage": "",
				"price_net": "111.0",
				"price_gross": "136.53",
				"use_tax": "1",
				"tax": "23"
			}
		    }
                }}
JSON
expect_status 201
expect_json 'd["currency"]' EUR
expect_json 'len(d["price_list_positions"])' 1
expect_json 'd["price_list_positions"][0]["price_gross"]' 136.53
LIST=$(json 'd["id"]')

step "List of price lists"
json_call GET "/price_lists.json?api_token=$IO_TOKEN"
expect_status 200
json_pages "/price_lists.json?api_token=$IO_TOKEN"
expect_true "$LIST in [p['id'] for p in d]"

# The seed's update body ends `"currency": "EUR",` before `}}`: a trailing comma, which JSON forbids.
update() {
  cat <<JSON
{
                "api_token": "$IO_TOKEN",
                "price_list": {
                    "name": "Price list name",
		    "description": "Description",
		    "currency": "EUR"$1
                }}
JSON
}
step "Price list update, as printed: the trailing comma gets InvoiceOcean's 400"
json_call PUT "/price_lists/$LIST.json" --data-binary "$(update ,)"
expect_status 400
expect_json 'd["code"]' error
step "Price list update, without the trailing comma"
json_call PUT "/price_lists/$LIST.json" --data-binary "$(update '')"
expect_status 200
expect_json 'd["name"]' "Price list name"

step "Deleting price list"
call DELETE "/price_lists/$LIST.json?api_token=$IO_TOKEN"
expect_status 200
json_call GET "/price_lists/$LIST.json?api_token=$IO_TOKEN"
expect_status 404
echo "invoiceocean/price_lists ok"
