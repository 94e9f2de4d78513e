#!/usr/bin/env bash
# InvoiceOcean "Payments" (seeds 000 and 001): listing (XML and JSON), one by id (the seed's
# /banking/payments/100.xml and /banking/payment/100.json), the minimal and the full JSON.
# "#{domain}" and "#{api_token}" are the gateway and the token; "product_id":1 becomes a demo product.
source "$(dirname "$0")/../lib.sh"

json_call GET "/products.json?api_token=$IO_TOKEN&page=1"
PRODUCT=$(json 'd[0]["id"]')

step "Adding new payment - Minimal JSON (recommended)"
json_call POST /banking/payments.json --data-binary @- <<JSON
{
		"api_token": "$IO_TOKEN",
		"banking_payment": {	
			"name":"Payment 001",
			"price": 100.05,
			"invoice_id": null,
			"paid":true,
			"kind": "api"
	     	}
	     }
JSON
expect_status 201
expect_json 'd["price"]' 100.05
expect_json 'd["paid"]' true
PAYMENT=$(json 'd["id"]')

step "Adding new payment - Full JSON (recommended): generate_invoice issues a matching invoice"
json_call POST /banking/payments.json --data-binary @- <<JSON
{
		"api_token": "$IO_TOKEN",
		"banking_payment": {	
			"city": null,
			"client_id":null,
			"comment":null,
			"country":null,
			"currency":"PLN",
			"department_id":null,
			"description":"abonament roczny",
			"email":"email@email.pl",
			"first_name":"Jan",
			"generate_invoice":true,			
			"invoice_city":"Warszawa",
			"invoice_comment":"",
			"invoice_country":null,
			"invoice_id":null,
			"invoice_name":"Company name",
			"invoice_post_code":"00-112",
			"invoice_street":"street 52",
			"invoice_tax_no":"5252445767",
			"last_name":"Kowalski",
			"name":"Plantnosc za produkt1",
			"oid":"",
			"paid":true,
			"paid_date":null,
			"phone":null,
			"post_code":null,
			"price":"100.00",
			"product_id":$PRODUCT,
			"promocode":"",
			"provider":"transfer",
			"provider_response":null,
			"provider_status":null,
			"provider_title":null,
			"quantity":1,
			"street":null,
			"kind": "api"
		}
	     }
JSON
expect_status 201
expect_json 'd["price"]' 100.00
GENERATED=$(json 'd["invoice_id"]')
json_call GET "/invoices/$GENERATED.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["buyer_name"]' "Company name"
expect_json 'd["price_gross"]' 100.00
expect_json 'd["status"]' paid

step "Listing all payments - XML"
call GET "/banking/payments.xml?api_token=$IO_TOKEN"
expect_status 200
XML_IDS=$(xml_all banking-payment/id)
step "Listing all payments - JSON (the same first page; then every page)"
json_call GET "/banking/payments.json?api_token=$IO_TOKEN"
expect_status 200
expect_json '[str(p["id"]) for p in d]' "$XML_IDS"
json_pages "/banking/payments.json?api_token=$IO_TOKEN"
expect_true "$PAYMENT in [p['id'] for p in d]"

step "Select payment using ID - XML"
call GET "/banking/payments/$PAYMENT.xml?api_token=$IO_TOKEN"
expect_status 200
expect_xml name "Payment 001"
step "Select payment using ID - JSON"
json_call GET "/banking/payment/$PAYMENT.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["name"]' "Payment 001"
echo "invoiceocean/payments ok"
