#!/usr/bin/env bash
# fakturan.nu API v2 "Clients" (seed 004): show, list (with its filters and sort), create (the seed's
# 201 and 422 examples), update. /clients/4 becomes the demo's "Google Inc" (the seed's own client),
# /clients/10 the client created here.
source "$(dirname "$0")/../lib.sh"

step "List clients, filtered by org_number"
fk GET "/api/v2/clients?org_number=556677-8899"
expect_status 200
expect_json '[c["name"] for c in d["data"]]' '["Google Inc"]'
expect_json 'd["paging"]' '{"total_pages": 1, "current_page": 1, "next": null, "previous": null}'
GOOGLE=$(json 'd["data"][0]["id"]')

step "GET /api/v2/clients/4"
fk GET "/api/v2/clients/$GOOGLE"
expect_status 200
expect_json 'd["data"]["client_type"]' company
expect_json 'd["data"]["org_number"]' 556677-8899
expect_json 'd["data"]["address"]' '{"street_address": "1600 Amphitheatre Parkway", "care_of": "", "zip_code": "94043", "city": "Mountain View", "country": "SE"}'
expect_true 'sorted(d["data"]) == sorted(["id", "number", "name", "first_name", "last_name", "email", "fax", "phone", "home_phone", "mobile_phone", "client_type", "org_number", "settings", "address"])'

step "Create a client (an individual)"
fk POST /api/v2/clients --data-binary @- <<'JSON'
{
  "first_name": "Nils",
  "last_name": "Eriksson",
  "address": {
    "street_address": "Testvägen",
    "care_of": "Någon",
    "zip_code": "12345",
    "city": "Karlstad",
    "country": "SE"
  },
  "mobile_phone": "46701234567",
  "email": "test@test.com",
  "fax": "",
  "phone": "070 751 51 66",
  "home_phone": "46701234567",
  "client_type": "individual",
  "org_number": "8001010043"
}
JSON
expect_status 201
expect_json 'd["data"]["name"]' "Nils Eriksson"
expect_json 'd["data"]["client_type"]' individual
expect_json 'd["data"]["address"]["care_of"]' Någon
expect_json 'd["data"]["phone"]' "070 751 51 66"
expect_true 'sorted(d["data"]["settings"]) == sorted(["currency", "discount", "email_attach_pdf", "invoice_days", "invoice_delivery_method", "invoice_template", "locale", "prices_inc_tax", "show_product_code", "tax"])'
CLIENT=$(json 'd["data"]["id"]')

step "Create a client without a company name: 422"
fk POST /api/v2/clients --data-binary '{
  "company": ""
}'
expect_status 422
expect_json 'd' '{"errors": {"company": [{"error": "blank"}]}}'

step "List clients (number, email filters; sort)"
fk GET "/api/v2/clients?email=test@test.com&sort=-number"
expect_status 200
expect_true "$CLIENT in [c['id'] for c in d['data']] and all(c['email'] == 'test@test.com' for c in d['data'])"
expect_true 'all(a["number"] >= b["number"] for a, b in zip(d["data"], d["data"][1:]))'
NUMBER=$(json "[c['number'] for c in d['data'] if c['id'] == $CLIENT][0]")
fk GET "/api/v2/clients?number=$NUMBER"
expect_json '[c["id"] for c in d["data"]]' "[$CLIENT]"
fk GET "/api/v2/clients?sort=+name"
expect_true '[c["name"] for c in d["data"]] == sorted(c["name"] for c in d["data"])'

step "PUT /api/v2/clients/10 {\"company\": \"After\"}: 204"
fk PUT "/api/v2/clients/$CLIENT" --data-binary '{
  "company": "After"
}'
expect_status 204
fk GET "/api/v2/clients/$CLIENT"
expect_json 'd["data"]["org_number"]' 8001010043
echo "fakturan/clients ok"
