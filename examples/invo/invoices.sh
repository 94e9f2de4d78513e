#!/usr/bin/env bash
# INVO "Invoices" (seed 003): every example of use, in the seed's order after the adds they need.
# c1id 2063 becomes a contractor "Drutex s.c." added first, kid 6167 and ids 320450/345 the invoices
# added here, include_product 456 a demo product. The seed's explicit numbers (FV/15/10/2014,
# KOR/7/10/2014) are freed again by the delete example at the end, so the script can run again.
source "$(dirname "$0")/../lib.sh"

step "(setup) the contractor c1id stands for, and leftovers of an aborted earlier run"
invo customers '{ "action":"list", "name":"Drutex s.c." }'
if [ "$(json 'd["count"]')" = 0 ]; then
  invo customers '{ "action":"add", "symbol":"DRUTEX", "name":"Drutex s.c.", "street":"Lipowa 1", "code":"40-154", "city":"Katowice", "taxid":"525-244-57-67", "email":"biuro@drutex.example" }'
  C1ID=$(json 'd["id"]')
else
  C1ID=$(json 'd["rows"][0]["id"]')
fi
for number in KOR/7/10/2014 FV/15/10/2014; do
  invo invoices "{ \"action\":\"list\", \"nrdoc\":\"$number\" }"
  for id in $(json '" ".join(str(r["id"]) for r in d["rows"])'); do invo invoices "{ \"action\":\"delete\", \"id\":$id }"; done
done

step "Adding a new invoice"
invo invoices "{ \"action\":\"add\", \"type2\":\"+FV\", \"nrdoc\":\"FV/15/10/2014\", \"nrx\":15, \"c1id\":$C1ID,
\"items\":[ {\"product\":\"cos tam\", \"pkwiu\":\"72/20\", \"count\":4, \"unit\":\"szt.\", \"pnetto\":100.00, \"vatsm\":\"23%\"} ] }"
expect_json 'd["nrdoc"]' FV/15/10/2014
expect_json 'd["nrx"]' 15
expect_json 'd["vnetto"]' 400.0
expect_json 'd["vbrutto"]' 492.0
FV=$(json 'd["id"]')

step "Adding a new correcting invoice (4 instead of 3: +100.00 net)"
invo invoices "{ \"action\":\"add\", \"type2\":\"+KOR\", \"nrdoc\":\"KOR/7/10/2014\", \"nrx\":7, \"kid\":$FV, \"c1id\":$C1ID,
\"items\":[ {\"product\":\"cos tam\", \"pkwiu\":\"72/20\", \"count\":4, \"unit\":\"szt.\", \"pnetto\":100.00, \"vatsm\":\"23%\", \"before\":{\"product\":\"cos tam\", \"pkwiu\":\"72/20\", \"count\":3, \"unit\":\"szt.\", \"pnetto\":100.00, \"vatsm\":\"23%\"} } ] }"
expect_json 'd["nrdoc"]' KOR/7/10/2014
expect_json 'd["vnetto"]' 100.0
expect_json 'd["vbrutto"]' 123.0
KOR=$(json 'd["id"]')

step "Retrieving invoice data"
invo invoices '{ "action":"list", "type2":"+FV", "mdate":"2014-10-01|2014-10-27" }'
expect_true 'all(r["type2"] == "+FV" and "2014-10-01" <= r["mdate"] <= "2014-10-27" for r in d["rows"])'
invo invoices "{ \"action\":\"list\", \"type2\":\"+FV\", \"id\":$FV, \"items\":1 }"
expect_json 'd["rows"][0]["c1name"]' "Drutex s.c."
expect_json '[(i["product"], i["count"], i["pnetto"], i["vatsm"]) for i in d["rows"][0]["items"]]' '[["cos tam", 4, 100.0, "23%"]]'
invo invoices "{ \"action\":\"list\", \"type2\":\"+KOR\", \"id\":$KOR, \"items\":1 }"
expect_json 'd["rows"][0]["kid"]' "$FV"
expect_json '[i["count"] for i in d["rows"][0]["items"]]' '[3, 4]'
step "Resources: invoices { \"action\":\"list\", \"search\":\"Drutex s.c.\" }"
invo invoices '{ "action":"list", "search":"Drutex s.c." }'
expect_true "$FV in [r['id'] for r in d['rows']] and $KOR in [r['id'] for r in d['rows']]"

step "Displaying invoice of the contractor and invoices with the product"
invo invoices "{ \"action\":\"list\", \"include_customer\":$C1ID }"
expect_true "$FV in [r['id'] for r in d['rows']] and all(r['c1id'] == $C1ID for r in d['rows'])"
invo products '{ "action":"list", "sortby":"id", "limit":1 }'
PRODUCT=$(json 'd["rows"][0]["id"]')
invo invoices "{ \"action\":\"list\", \"include_product\":$PRODUCT }"
expect_true "d['count'] >= 1 and $FV not in [r['id'] for r in d['rows']]"

step "Default values for the new invoice"
invo invoices '{ "action":"default", "type2":"+FV", "nrx":100, "mdate":"2015-03-25", "sdate":"2015-03-25", "currency":"EUR", "emt":52319 }'
expect_json 'd["nrdoc"]' 100/03/2015
expect_json 'd["nrx"]' 100
expect_json 'd["type2s"]' +FV
expect_json 'd["currency"]' EUR
expect_true 'all(k in d for k in ("pvat", "title2s", "type2c", "title2c", "currval", "currtab", "currdt", "unitid", "taxid", "dtpid"))'

step "Change of status (3: paid)"
invo invoices "{ \"action\":\"status\", \"id\":$FV, \"value\":3 }"
expect_json 'd' "{\"id\": $FV, \"status\": 3}"
invo invoices "{ \"action\":\"list\", \"id\":$FV }"
expect_json 'd["rows"][0]["status"]' 3

step "Deleting the invoice"
invo invoices "{ \"action\":\"delete\", \"id\":$KOR }"
expect_json 'd["id"]' "$KOR"
invo invoices "{ \"action\":\"delete\", \"id\":$FV }"
expect_json 'd["id"]' "$FV"
invo invoices "{ \"action\":\"list\", \"id\":$FV }"
expect_json 'd["error"]' 6
echo "invo/invoices ok"
