"""Generate tickpy/check/catalogue.json from Kapacitor's reflected node catalogue.

Usage: python tools/gen_catalogue.py [REFERENCE_JSON] [OUTPUT_JSON]

The reference (../shared/reference/kapacitor-nodes.json by default) describes, for every object a
TICKscript can reach, the names `|x()`, `.x()` and `@x()` resolve to. The checker needs only a
small part of it, reshaped for fast lookup:

- `types.<T>`: category, Go type name, DOT name, edges, chain methods (name -> method key, plus
  define-time call errors keyed by the receiver's edge), properties (name -> how it is set and
  which object the chain continues on), readable fields, handler inheritance.
- `methods.<key>`: Go name, parameter Go types, variadic, what it returns, the node it creates
  for each receiver edge (or the error raised).
- `go_kinds`: Go parameter type -> TICKscript kind, for messages in TICKscript words.
"""

from __future__ import annotations

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "kapacitor-nodes.json"
DEFAULT_OUTPUT = ROOT / "tickpy" / "check" / "catalogue.json"


def _next_object(entry: dict, receiver: str, methods: dict) -> str | None:
    """Which object a property call continues on: None keeps the receiver."""
    if entry["kind"] == "field":
        return None
    method = methods.get(entry.get("method", ""), {})
    if method.get("returns_go") == "(none)":
        return None
    target = entry.get("continues_on") or entry.get("returns")
    return target


def _property(entry: dict, receiver: str, methods: dict) -> dict:
    out = {"kind": entry["kind"], "params": entry.get("params", [])}
    if entry.get("variadic"):
        out["variadic"] = True
    if entry["kind"] == "field":
        out["field"] = entry["field"]
        if entry.get("assignable_from_tickscript") is False:
            out["unassignable"] = True
    else:
        method = methods.get(entry["method"], {})
        out["go"] = method.get("go_name") or entry["method"].split(".")[-1]
        if method.get("returns_error"):
            out["returns_error"] = True
    nxt = _next_object(entry, receiver, methods)
    if nxt:
        out["next"] = nxt
    if entry.get("handler"):
        out["handler"] = entry["handler_type"]
    return out


def _type_entry(name: str, entry: dict, methods: dict) -> dict:
    out: dict = {"go": entry["go_type"], "category": entry["category"]}
    if entry.get("tick_name"):
        out["desc"] = entry["tick_name"]
    for key in ("wants", "provides"):
        if entry.get(key):
            out[key] = entry[key]
    chain = {}
    chain_errors = {}
    for cname, centry in entry.get("chain_methods", {}).items():
        chain[cname] = centry["method"]
        if centry.get("call_errors"):
            chain_errors[cname] = centry["call_errors"]
    if chain:
        out["chain"] = chain
    if chain_errors:
        out["chain_errors"] = chain_errors
    props = {p: _property(e, name, methods) for p, e in entry.get("property_methods", {}).items()}
    if props:
        out["props"] = props
    inherits = entry.get("inherits")
    if inherits:
        out["inherits"] = inherits["from"]
    return out


def _method_entry(entry: dict) -> dict:
    out = {"go": entry["go_name"], "params": entry.get("params", [])}
    if entry.get("variadic"):
        out["variadic"] = True
    if entry.get("returns_error"):
        out["returns_error"] = True
    out["returns"] = entry.get("returns")
    out["returns_go"] = entry.get("returns_go")
    if entry.get("creates_node"):
        out["creates_node"] = True
        edges = {}
        for edge, info in (entry.get("edges") or {}).items():
            if isinstance(info, list):
                # Per-receiver differences are already recorded as the types' chain_errors;
                # keep the node that the ordinary receivers create.
                info = next(i for i in info if "error" not in i)
            if "error" in info:
                edges[edge] = {"error": info["error"]}
            else:
                edges[edge] = {
                    "type": info["type"],
                    "desc": info["node_desc"],
                    "wants": info["wants"],
                    "provides": info["provides"],
                }
        out["edges"] = edges
    return out


def build(reference: dict) -> dict:
    methods = reference["methods"]
    types = {}
    for group in ("nodes", "handlers", "other_objects"):
        for name, entry in reference[group].items():
            types[name] = _type_entry(name, entry, methods)
    go_kinds: dict[str, str] = {}

    def collect(params, kinds):
        for go, kind in zip(params or [], kinds or []):
            go_kinds[go.lstrip(".")] = kind.lstrip(".")

    for entry in methods.values():
        collect(entry.get("params"), entry.get("tick_params"))
    for group in ("nodes", "handlers", "other_objects"):
        for entry in reference[group].values():
            for p in entry.get("property_methods", {}).values():
                collect(p.get("params"), p.get("tick_params"))
    global_functions = {}
    for name, entry in reference["global_functions"].items():
        sig = entry["signature"]
        global_functions[name] = {
            "params": sig["params"],
            "variadic": sig.get("variadic", False),
            "returns": sig.get("returns"),
            "returns_error": sig.get("returns_error", False),
        }
    # Most nodes share the same ~60 chain methods: store that common set once, and per type
    # only what it adds or lacks. Every chaining type keeps a `chain_add`, empty when its chain is
    # exactly the common set (ec2Autoscale), so the loader can tell it from a type with no chain.
    from collections import Counter

    with_chain = [entry for entry in types.values() if "chain" in entry]
    counts = Counter(pair for entry in with_chain for pair in entry["chain"].items())
    common = dict(sorted(pair for pair, n in counts.items() if n * 2 >= len(with_chain)))
    for entry in with_chain:
        chain = entry.pop("chain")
        added = {k: v for k, v in chain.items() if common.get(k) != v}
        missing = sorted(k for k in common if k not in chain)
        entry["chain_add"] = added
        if missing:
            entry["chain_missing"] = missing
    return {
        "kapacitor": reference.get("kapacitor"),
        "common_chain": common,
        "roots": {name: info["type"] for name, info in reference["root_vars"].items()},
        "types": types,
        "methods": {key: _method_entry(entry) for key, entry in methods.items()},
        "global_functions": global_functions,
        "go_kinds": dict(sorted(go_kinds.items())),
        # name -> the argument types each signature takes, for lints on lambda calls
        "lambda_functions": {
            f["name"]: sorted({tuple(sig["args"]) for sig in f["signatures"]}) for f in reference["lambda_functions"]
        },
        "template_functions": sorted(reference["go_template_funcs"]) if isinstance(reference["go_template_funcs"], list) else reference["go_template_funcs"],
    }


def main(argv: list[str]) -> int:
    reference_path = pathlib.Path(argv[1]) if len(argv) > 1 else DEFAULT_REFERENCE
    output_path = pathlib.Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    reference = json.loads(reference_path.read_text())
    catalogue = build(reference)
    output_path.write_text(json.dumps(catalogue, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {output_path} ({output_path.stat().st_size} bytes, {len(catalogue['types'])} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
