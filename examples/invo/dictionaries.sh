#!/usr/bin/env bash
# INVO "Dictionaries" (seed 003): every query. A new account starts with the seed's tax rates, units and
# pay types; the seed's sample bank accounts, employees and groups are added first (and removed at the
# end), so each answer can be compared with the seed's sample answer.
source "$(dirname "$0")/../lib.sh"

step "VAT rates"
invo dictionaries '{ "action":"list", "what":"taxrates" }'
expect_json 'd["count"]' 8
expect_json '[(r["c2"], r["c3"], r["c4"], r["c5"]) for r in d["rows"]]' "$(cat <<'ROWS' | tr -d '\n'
[[0, "Podatek VAT 23%", "23%", 0.23], [0, "Podatek VAT 7%", "7%", 0.07], [0, "Stawka VAT 5%", "5%", 0.05],
 [0, "Podatek VAT 3%", "3%", 0.03], [0, "Podatek VAT 0%", "0%", 0.0], [0, "Zwolnienie z podatku VAT", "zw", 0.0],
 [0, "Podatek eksportowy", "ex", 0.0], [0, "Nie podlega", "np", 0.0]]
ROWS
)"

add() { # add WHAT Q-FIELDS: a dictionary entry, deleted again when the script ends
  invo dictionaries "{ \"action\":\"add\", \"what\":\"$1\", $2 }"
  expect_true 'd["id"] >= 1'
  at_exit "invo dictionaries '{ \"action\":\"delete\", \"what\":\"$1\", \"id\":$(json 'd["id"]') }'"
}
add accounts '"c3":"mBank", "c4":"00 1111 1111 1111 1111 1111", "c5":"MBANK"'
add accounts '"c3":"ING Bank Śląski", "c4":"22 2222 2222 2222 2222", "c5":"ING"'
add employees '"c3":"Jan", "c4":"Kowalski"'
add employees '"c3":"Kazimierz", "c4":"Iksiński"'
add groupcu '"c3":"Lokalni", "c4":"klienci stali, z miasta i okolicy"'
add groupcu '"c3":"Zamiejscowi", "c4":"klienci przejezdni"'
add groupgs '"c3":"Komputery", "c4":"komputery, monitory, urządzenia peryferyjne"'
add groupgs '"c3":"Sprzęt AGD", "c4":"pralki, lodówki, inny sprzęt AGD"'

step "Bank accounts"
invo dictionaries '{ "action":"list", "what":"accounts" }'
expect_true '[0, "mBank", "00 1111 1111 1111 1111 1111", "MBANK"] in [[r["c2"], r["c3"], r["c4"], r["c5"]] for r in d["rows"]]'
expect_true '[0, "ING Bank Śląski", "22 2222 2222 2222 2222", "ING"] in [[r["c2"], r["c3"], r["c4"], r["c5"]] for r in d["rows"]]'
step "Employees (persons issuing invoices)"
invo dictionaries '{ "action":"list", "what":"employees" }'
expect_true '["Jan", "Kowalski"] in [[r["c3"], r["c4"]] for r in d["rows"]] and ["Kazimierz", "Iksiński"] in [[r["c3"], r["c4"]] for r in d["rows"]]'
step "Groups of contractors"
invo dictionaries '{ "action":"list", "what":"groupcu" }'
expect_true '["Lokalni", "klienci stali, z miasta i okolicy"] in [[r["c3"], r["c4"]] for r in d["rows"]]'
expect_true '["Zamiejscowi", "klienci przejezdni"] in [[r["c3"], r["c4"]] for r in d["rows"]]'
step "Product groups"
invo dictionaries '{ "action":"list", "what":"groupgs" }'
expect_true '["Komputery", "komputery, monitory, urządzenia peryferyjne"] in [[r["c3"], r["c4"]] for r in d["rows"]]'
expect_true '["Sprzęt AGD", "pralki, lodówki, inny sprzęt AGD"] in [[r["c3"], r["c4"]] for r in d["rows"]]'
step "Payment methods and dates"
invo dictionaries '{ "action":"list", "what":"paytypes" }'
expect_json '[[r["c3"], r["c4"], r["c5"], r["c6"], r["c7"]] for r in d["rows"]][:3]' \
  '[["Gotówka", 0, 100, 0, 0], ["Przelew 14 dni", 14, 0, 1, 0], ["Przelew 7 dni", 7, 0, 1, 0]]'
step "Units"
invo dictionaries '{ "action":"list", "what":"units" }'
expect_json '[[r["c3"], r["c4"]] for r in d["rows"]][:3]' '[["Sztuka", "szt."], ["Godzina", "h"], ["Metr kw.", "m2"]]'
step "Exchange rates (one row per day with a stored rate; columns c1.. in the order asked)"
invo dictionaries '{ "action":"list", "what":"currencies", "columns":"date,curr_eur,curr_usd", "sortby":"date desc", "limit":3 }'
expect_true 'd["count"] == len(d["rows"]) <= 3 and all(sorted(r) == ["c1", "c2", "c3"] for r in d["rows"])'
expect_true 'all(a["c1"] > b["c1"] for a, b in zip(d["rows"], d["rows"][1:]))'

echo "invo/dictionaries ok"
