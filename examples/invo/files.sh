#!/usr/bin/env bash
# INVO "Poczta i skany" (seed 003): an invoice as PDF, sent as an attachment, a scan attached, the
# scans listed. Ids 301345/301347 become a demo sales invoice and a cost invoice added first; the
# seed's base64 ("/9j/4AAQSkZJRgABAQEASABIAAD/4TIraHR...") is cut short, so a whole 8x8 JPEG stands in.
source "$(dirname "$0")/../lib.sh"
JPEG=/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDHooorhPqD/9k=

step "(setup) a sales invoice to send and a cost invoice for the scan, deleted again at the end"
invo customers '{ "action":"list", "sortby":"id", "limit":1 }'
invo invoices "{ \"action\":\"add\", \"type2\":\"+FV\", \"c1id\":$(json 'd["rows"][0]["id"]'), \"items\":[ {\"product\":\"cos tam\", \"count\":1, \"unit\":\"szt.\", \"pnetto\":100.00, \"vatsm\":\"23%\"} ] }"
expect_json 'd["status"]' 4
SALE=$(json 'd["id"]')
at_exit "invo invoices '{ \"action\":\"delete\", \"id\":$SALE }'"
invo invoices '{ "action":"add", "type2":"+FV", "buy":1, "nrdoc":"FV/50/04/2015", "c1name":"Dostawca Sp. z o.o.", "c1taxid":"5252445767", "items":[ {"product":"papier", "count":2, "unit":"szt.", "pnetto":10.00, "vatsm":"23%"} ] }'
expect_json 'd["nrdoc"]' FV/50/04/2015
COST=$(json 'd["id"]')
at_exit "invo invoices '{ \"action\":\"delete\", \"id\":$COST }'"

step "Pobranie faktury"
invo files "{ \"action\":\"get\", \"id\":$SALE }"
expect_json 'd["id"]' "$SALE"
expect_json 'd["ftype"]' .pdf
expect_true '__import__("base64").b64decode(d["file"]).startswith(b"%PDF-")'

step "Wysłanie faktury w załączniku"
invo files "{ \"action\":\"send\", \"id\":$SALE, \"email\":\"biuro@mojklient.pl\" }"
expect_json 'd' "{\"id\": $SALE, \"email\": \"biuro@mojklient.pl\"}"
invo invoices "{ \"action\":\"list\", \"id\":$SALE }"
expect_json 'd["rows"][0]["status"]' 1

step "Dołączenie skanu"
invo files "{ \"action\":\"cost\", \"id\":$COST, \"fname\":\"FV/50/04/2015\", \"ftype\":\".jpg\", \"file\":\"$JPEG\" }"
expect_json 'd["did"]' "$COST"
expect_json 'd["size"]' "$(python3 -c 'import base64,sys; print(len(base64.b64decode(sys.argv[1])))' "$JPEG")"
SCAN=$(json 'd["id"]')

step "Lista skanów"
invo files "{ \"action\":\"list\", \"id\":$COST }"
expect_json '[(r["id"], r["fname"], r["ftype"]) for r in d["rows"]]' "[[$SCAN, \"FV/50/04/2015\", \".jpg\"]]"
step "Lista skanów by date, as printed: the trailing comma is invalid JSON, code 3"
invo files '{ "action":"list", "idate":"2015-03-01|2015-04-30", }'
expect_json 'd["error"]' 3
step "Lista skanów by date, without the trailing comma"
invo files '{ "action":"list", "idate":"2015-03-01|2015-04-30" }'
expect_true 'all("2015-03-01" <= r["idate"] <= "2015-04-30" for r in d["rows"])'
invo files "{ \"action\":\"list\", \"idate\":\"$(today)|$(today)\" }"
expect_true "$SCAN in [r['id'] for r in d['rows']]"
step "The scan back, byte for byte (gateway extension: what 1)"
invo files "{ \"action\":\"get\", \"id\":$SCAN, \"what\":1 }"
expect_json 'd["file"]' "$JPEG"
echo "invo/files ok"
