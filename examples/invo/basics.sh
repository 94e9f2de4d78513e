#!/usr/bin/env bash
# INVO (seed 003): "Usage" (the login call), the example of every row of the "Resources" table,
# "Sorting, paging and setting the limit" and "Error codes". Every call is POST /api.json with r and q
# sent as PHP's CURLOPT_POSTFIELDS sends them ("r=login&q={}", unencoded) and HTTP Basic login:password.
# Ids in the examples (32501, 301345) become invoices of the account.
source "$(dirname "$0")/../lib.sh"

step "Usage: r=login&q={}"
invo login '{}'
expect_status 200
expect_true 'd["cid"] >= 1 and d["uid"] >= 0'
echo "   cid=$(json 'd["cid"]') uid=$(json 'd["uid"]')"

invo invoices '{ "action":"list", "type2":"+FV", "sortby":"id", "limit":1 }'
DID=$(json 'd["rows"][0]["id"]')

step "Resources: dictionaries { \"action\":\"list\", \"what\":\"taxrates\" }"
invo dictionaries '{ "action":"list", "what":"taxrates" }'
expect_json 'd["count"]' 8
step "Resources: invoices { \"action\":\"list\", \"search\":\"Drutex s.c.\" }"
invo invoices '{ "action":"list", "search":"Drutex s.c." }'
expect_true 'all("Drutex s.c." in r["c1name"] for r in d["rows"]) and d["count"] == len(d["rows"])'
step "Resources: items { \"action\":\"list\", \"did\":32501 }"
invo items "{ \"action\":\"list\", \"did\":$DID }"
expect_true "d['count'] >= 1 and all(r['did'] == $DID for r in d['rows'])"
step "Resources: customers { \"action\":\"list\", \"search\":\"kowalski\" }"
invo customers '{ "action":"list", "search":"kowalski" }'
expect_true 'all("kowalski" in json.dumps(r, ensure_ascii=False).lower() for r in d["rows"])'
step "Resources: products { \"action\":\"list\", \"search\":\"drukarka\" }"
invo products '{ "action":"list", "search":"drukarka" }'
expect_true 'all("drukarka" in json.dumps(r, ensure_ascii=False).lower() for r in d["rows"])'
step "Resources: bookkeeping { \"action\":\"list\", \"what\":\"zus\" } (no ZUS data in the gateway: code 10)"
invo bookkeeping '{ "action":"list", "what":"zus" }'
expect_json 'd["error"]' 10
step "Resources: files { \"action\":\"get\", \"id\":301345 }"
invo files "{ \"action\":\"get\", \"id\":$DID }"
expect_json 'd["ftype"]' .pdf
expect_true '__import__("base64").b64decode(d["file"]).startswith(b"%PDF-")'
step "Resources: reports (\"W przygotowaniu\": code 10)"
invo reports '{ "action":"list" }'
expect_json 'd["error"]' 10

step "Sorting: { \"action\":\"list\", \"sortby\":\"column name\" }"
invo invoices '{ "action":"list", "sortby":"vbrutto" }'
expect_true 'all(a["vbrutto"] <= b["vbrutto"] for a, b in zip(d["rows"], d["rows"][1:]))'
invo invoices '{ "action":"list", "sortby":"mdate desc" }'
expect_true 'all(a["mdate"] >= b["mdate"] for a, b in zip(d["rows"], d["rows"][1:]))'
step "Paging: { \"action\":\"list\", \"page\":3, \"cpp\":10 } = rows 21-30"
invo invoices '{ "action":"list", "sortby":"id", "limit":1000 }'
ALL=$(json '[r["id"] for r in d["rows"]]')
invo invoices '{ "action":"list", "sortby":"id", "page":3, "cpp":10 }'
expect_json '[r["id"] for r in d["rows"]]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])[20:30]))' "$ALL")"
step "Limit: { \"action\":\"list\", \"limit\":10 }"
invo invoices '{ "action":"list", "sortby":"id", "limit":10 }'
expect_json '[r["id"] for r in d["rows"]]' "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])[:10]))' "$ALL")"

step "Error codes 1-6 (7, a deactivated account, needs \`invoice-gateway accounts deactivate\`)"
INVO_PASSWORD=wrong-password invo login '{}'
expect_json 'd' '{"error": 1, "message": "authentication error"}'
invo invoice '{ "action":"list" }'
expect_json 'd' '{"error": 2, "message": "incorrect resource"}'
invo invoices '{ "action":"list", '
expect_json 'd' '{"error": 3, "message": "invalid JSON format"}'
invo dictionaries '{ "action":"list", "what":"taxes" }'
expect_json 'd' '{"error": 4, "message": "incorrect dictionary"}'
invo invoices '{ "action":"print" }'
expect_json 'd' '{"error": 5, "message": "incorrect action"}'
invo invoices '{ "action":"delete", "id":0 }'
expect_json 'd' '{"error": 6, "message": "incorrect ID"}'
echo "invo/basics ok"
