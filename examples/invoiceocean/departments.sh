#!/usr/bin/env bash
# InvoiceOcean "Departments" (seeds 000 and 001): list, one by id, create, delete
# (departments/100 becomes the department created here).
source "$(dirname "$0")/../lib.sh"

step "Departments list"
json_call GET "/departments.json?api_token=$IO_TOKEN"
expect_status 200
expect_true 'any(dep["main"] for dep in d)'
MAIN=$(json '[dep["id"] for dep in d if dep["main"]][0]')

step "Get selected department by ID"
json_call GET "/departments/$MAIN.json?api_token=$IO_TOKEN"
expect_status 200
expect_json 'd["main"]' true

step "Create new department"
json_call POST /departments.json --data-binary @- <<JSON
{
				"api_token": "$IO_TOKEN",
				"department": {
					"name":"my_warehouse", 
					"shortcut": "short_name",
					"tax_no": "-"
				}}
JSON
expect_status 201
expect_json 'd["name"]' my_warehouse
expect_json 'd["shortcut"]' short_name
expect_json 'd["tax_no"]' -
DEPARTMENT=$(json 'd["id"]')

step "Delete selected department by ID"
call DELETE "/departments/$DEPARTMENT.json?api_token=$IO_TOKEN"
expect_status 200
json_call GET "/departments/$DEPARTMENT.json?api_token=$IO_TOKEN"
expect_status 404
echo "invoiceocean/departments ok"
