"""the invoice fields of the InvoiceOcean seed that had no column (issue 18, B.5)

`category_id`, `warehouse_id`, `invoice_template_id` (plain integers: no categories, warehouses or templates
exist yet, so no foreign key), `additional_info`, `use_moss`, `disable_tax_no_validation` (booleans),
`additional_info_desc`, `additional_invoice_field`, `description_footer`, `description_long` (texts),
`exchange_currency_rate` (decimal) and `delivery_date` (date).

Before this revision the gateway kept these keys, as the client sent them, in the invoice's `extra` JSON.
They move into their columns here when they read as the column's type ("1"/"yes"/"true" for booleans);
a value that does not read stays in `extra`, where it was, so nothing is lost.

Plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch copy of `invoices` would drop the triggers of
0002 and 0005.

Revision ID: 0008
Revises: 0007
"""
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Sequence, Union

import sqlalchemy as sa
import sqlmodel

import core.models.types
from alembic import op

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TRUE = {"1", "true", "yes", "y", "t", "on", "tak"}
_FALSE = {"0", "false", "no", "n", "f", "off", "nie"}


def _bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if isinstance(value, bool) or text in _TRUE | _FALSE:
        return value if isinstance(value, bool) else text in _TRUE
    raise ValueError(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    number = Decimal(str(value).strip())
    if number != number.to_integral_value() or abs(number) >= 2 ** 63:
        raise ValueError(value)
    return int(number)


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError(value)
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def _date(value: Any) -> date:
    return date.fromisoformat(str(value).strip()[:10])


# column -> (SQL type, server default for the rows already there, reader of the old extra value)
COLUMNS: dict[str, tuple[Any, Any, Callable[[Any], Any]]] = {
    'description_footer': (sqlmodel.sql.sqltypes.AutoString(), '', _text),
    'description_long': (sqlmodel.sql.sqltypes.AutoString(), '', _text),
    'additional_info': (sa.Boolean(), sa.false(), _bool),
    'additional_info_desc': (sqlmodel.sql.sqltypes.AutoString(), '', _text),
    'additional_invoice_field': (sqlmodel.sql.sqltypes.AutoString(), '', _text),
    'use_moss': (sa.Boolean(), sa.false(), _bool),
    'disable_tax_no_validation': (sa.Boolean(), sa.false(), _bool),
    'delivery_date': (sa.Date(), None, _date),
    'category_id': (sa.Integer(), None, _int),
    'warehouse_id': (sa.Integer(), None, _int),
    'invoice_template_id': (sa.Integer(), None, _int),
    'exchange_currency_rate': (core.models.types.DecimalType(), None, _decimal),
}


def upgrade() -> None:
    for name, (type_, default, _read) in COLUMNS.items():
        op.add_column('invoices', sa.Column(name, type_, nullable=default is None, server_default=default))
    _move_out_of_extra()


def _table() -> sa.TableClause:
    return sa.table('invoices', sa.column('id', sa.Integer()), sa.column('extra', sa.JSON()),
                    *(sa.column(name, type_) for name, (type_, _d, _r) in COLUMNS.items()))


def _move_out_of_extra() -> None:
    bind = op.get_bind()
    invoices = _table()
    as_text = sa.cast(invoices.c.extra, sa.Text())
    mention = sa.or_(*(as_text.like(f'%"{name}"%') for name in COLUMNS))
    rows = bind.execute(sa.select(invoices.c.id, invoices.c.extra).where(mention)).all()
    for invoice_id, extra in rows:
        if not isinstance(extra, dict):
            continue
        values: dict[str, Any] = {}
        for name, (_type, _default, read) in COLUMNS.items():
            if name not in extra or extra[name] is None or extra[name] == "":
                continue
            try:
                values[name] = read(extra[name])
            except (ValueError, ArithmeticError):
                continue  # unreadable: it stays in extra, as the client sent it
        if values:
            kept = {key: value for key, value in extra.items() if key not in values}
            bind.execute(invoices.update().where(invoices.c.id == invoice_id).values(extra=kept, **values))


def _back_into_extra() -> None:
    """The reverse of _move_out_of_extra: what the columns hold goes back to `extra`, as JSON values."""
    bind = op.get_bind()
    invoices = _table()
    set_ = sa.or_(*(invoices.c[name].isnot(None) if default is None else invoices.c[name] != default
                    for name, (_t, default, _r) in COLUMNS.items()))
    for row in bind.execute(sa.select(invoices).where(set_)).mappings().all():
        kept = {name: row[name] for name, (_t, default, _r) in COLUMNS.items()
                if row[name] is not None and row[name] not in ("", False)}
        kept = {name: str(value) if isinstance(value, (Decimal, date)) else value for name, value in kept.items()}
        extra = dict(row['extra'] or {})
        extra.update(kept)
        bind.execute(invoices.update().where(invoices.c.id == row['id']).values(extra=extra))


def downgrade() -> None:
    _back_into_extra()
    for name in reversed(COLUMNS):
        op.drop_column('invoices', name)
