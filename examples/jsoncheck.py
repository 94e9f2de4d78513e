"""lib.sh's evaluator, run once per script as a bash coprocess (one Python start instead of one per check).

Each request is one line, `MODE<TAB>EXPRESSION`, evaluated over the last answer in the body file:
`json` binds d to its JSON; `xml` returns the text of the first element named EXPRESSION, `xml_all` the
texts of every element at the path EXPRESSION (relative to the root) as a JSON list. Each reply is
one line: `0<TAB>value` (JSON for lists, dicts, booleans and null; newlines sent as \\x1f) or `1<TAB>error`.
"""
from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from typing import Any


def render(value: Any) -> str:
    if isinstance(value, (dict, list, tuple, bool)) or value is None:
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def evaluate(mode: str, expression: str, body: bytes) -> str:
    if mode == "json":
        # d is a global: comprehensions inside eval do not see eval's locals
        return render(eval(expression, {"json": json, "__import__": __import__, "d": json.loads(body)}))
    if mode == "xml_all":
        return render([node.text or "" for node in ElementTree.fromstring(body).findall(expression)])
    if mode == "xml":
        root = ElementTree.fromstring(body)
        node = root if root.tag == expression else root.find(f".//{expression}")
        return "" if node is None else (node.text or "")
    raise ValueError(f"unknown mode {mode}")


def main(body_file: str) -> None:
    for line in sys.stdin:
        mode, _, expression = line.rstrip("\n").partition("\t")
        try:
            with open(body_file, "rb") as handle:
                reply = "0\t" + evaluate(mode, expression, handle.read())
        except Exception as error:  # noqa: BLE001  (every failure is reported to the script, which stops)
            reply = f"1\t{type(error).__name__}: {error}"
        sys.stdout.write(reply.replace("\n", "\x1f") + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
