#!/usr/bin/env bash
# The README's five-minute tour as a script: one invoice written through InvoiceOcean, read back
# through INVO and fakturan.nu. Exits non-zero on any unexpected answer.
#   BASE_URL=http://127.0.0.1:8000 IO_TOKEN=... INVO_LOGIN=... INVO_PASSWORD=... FK_KEY=... FK_PASSWORD=... examples/tour.sh
# Without the variables it reads the demo account's credentials from var/demo-credentials.json (make run).
set -euo pipefail
BASE_URL=${BASE_URL:-http://127.0.0.1:8000}
CREDS=${CREDENTIALS_FILE:-var/demo-credentials.json}
field() { python3 -c "import json,sys; d=json.load(open('$CREDS')); print(d$1)"; }
IO_TOKEN=${IO_TOKEN:-$(field '["invoiceocean"]["api_token"]')}
INVO_LOGIN=${INVO_LOGIN:-$(field '["invo"]["login"]')}
INVO_PASSWORD=${INVO_PASSWORD:-$(field '["invo"]["password"]')}
FK_KEY=${FK_KEY:-$(field '["fakturan"]["key_id"]')}
FK_PASSWORD=${FK_PASSWORD:-$(field '["fakturan"]["password"]')}
expect() { # expect JSON-PATH-EXPRESSION EXPECTED BODY
  got=$(python3 -c "import json,sys; d=json.loads(sys.argv[2]); print(eval(sys.argv[1]))" "$1" "$3")
  [ "$got" = "$2" ] || { echo "unexpected: $1 = $got (wanted $2)" >&2; exit 1; }
}

echo "1. InvoiceOcean: POST /invoices.json with the seed document's invoice"
created=$(curl -sf "$BASE_URL/invoices.json" -H 'Content-Type: application/json' -d '{"api_token":"'"$IO_TOKEN"'",
  "invoice":{"kind":"vat","buyer_name":"Klient1 Sp. z o.o.","buyer_tax_no":"5252445767",
  "positions":[{"name":"Produkt A1","tax":23,"total_price_gross":10.23,"quantity":1},
               {"name":"Produkt A2","tax":0,"total_price_gross":50,"quantity":3}]}}')
expect 'd["price_gross"]' 60.23 "$created"
id=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['id'])" "$created")
number=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['number'])" "$created")
echo "   invoice $id, number $number, gross 60.23"

echo "2. INVO: the same invoice as rows"
rows=$(curl -sf -u "$INVO_LOGIN:$INVO_PASSWORD" "$BASE_URL/api.json" -d 'r=invoices' \
  --data-urlencode "q={\"action\":\"list\",\"id\":$id,\"items\":1}")
expect 'd["rows"][0]["nrdoc"]' "$number" "$rows"
expect 'd["rows"][0]["vbrutto"]' 60.23 "$rows"

echo "3. fakturan.nu: and again, in its envelope"
one=$(curl -sf -u "$FK_KEY:$FK_PASSWORD" "$BASE_URL/api/v2/invoices/$id")
expect 'd["data"]["sum"]' 60.23 "$one"
expect 'd["data"]["address"]["name"]' "Klient1 Sp. z o.o." "$one"
echo "tour ok"
