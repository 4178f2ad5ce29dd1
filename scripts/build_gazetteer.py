#!/usr/bin/env python
"""Build and check the entity gazetteers in service/data/gazetteer/.

    python scripts/build_gazetteer.py          # regenerate countries.tsv, tidy the others, check all
    python scripts/build_gazetteer.py --check  # check only, write nothing (exit 1 on a problem)

countries.tsv is generated: every ISO 3166-1 entry of pycountry, its zh_CN
name from pycountry's gettext catalogue, corrected and extended by the
hand-written overlay scripts/countries_overlay.yaml (common news names,
X方 short forms, English names and demonyms, capital metonyms).

The other TSV files are written by hand; this script only tidies them
(full-width punctuation → ASCII, Traditional → Simplified in Chinese forms,
the English name added to the aliases, duplicate aliases dropped) and checks
the conventions described in service/data/gazetteer/README.md:
one row per real-world thing, every name once across all files, no surface
form claimed by two rows, no single Chinese character as an alias.
"""
from __future__ import annotations

import argparse
import gettext
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "service" / "data" / "gazetteer"
OVERLAY = Path(__file__).resolve().parent / "countries_overlay.yaml"

HEADER = ["name", "type", "id", "en", "aliases"]
TYPES = {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "MATERIAL", "LAW"}
ABBREV_FILE = "country_abbrev.tsv"
ABBREV_HEADER = ["char", "name"]

# Forms that must never be an alias: function words and one-character country
# abbreviations (those live in country_abbrev.tsv and need a compound context).
STOPWORDS = set(
    "的 了 是 在 和 与 及 对 将 把 被 从 向 为 于 以 等 也 都 而 或 但 并 就 其 之 这 那 有 无 不 没 "
    "中 美 日 英 法 德 俄 韩 朝 印 澳 加 欧 台 港 华 非 亚 拉 西 东 南 北 方 国 人 大 小 新 老".split()
    + "我们 他们 她们 它们 我国 本国 外国 国家 政府 公司 集团 部门 方面 双方 各方 对方 西方 东方 南方 北方 "
    "中方人员 今年 去年 明年 美元 日元 欧元 英镑 人民币 卢布 韩元 港元 澳元 加元 "
    "总统 总理 首相 部长 主席 发言人 市场 价格 出口 进口 关税".split()
    + "a an the of to in on at by for and or is it as be we us he she they this that new "
    "may will can who".split()
)

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ID = re.compile(r"^(|[A-Z]{2})$")


def _fullwidth_to_ascii(s: str) -> str:
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    return s.translate(table)


_t2s = None


def _to_simplified(s: str) -> str:
    global _t2s
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("t2s")
    out = _t2s.convert(s)
    return out if len(out) == len(s) else s


def tidy_form(s: str) -> str:
    s = unicodedata.normalize("NFC", _fullwidth_to_ascii(s)).strip()
    s = re.sub(r"\s+", " ", s)
    if _HAN.search(s):
        s = _to_simplified(s)
    return s


# --------------------------------------------------------------------- reading

class GazError(ValueError):
    pass


def read_tsv(path: Path) -> list[dict]:
    """Rows of one gazetteer file as dicts; raises GazError on a malformed line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if not lines or lines[0].split("\t") != HEADER:
        raise GazError(f"{path.name}: header must be {'<TAB>'.join(HEADER)}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != len(HEADER):
            raise GazError(f"{path.name}:{n}: {len(cols)} columns, expected {len(HEADER)}: {line!r}")
        name, typ, ident, en, aliases = (c.strip() for c in cols)
        rows.append({
            "file": path.name, "line": n, "name": name, "type": typ, "id": ident, "en": en,
            "aliases": [a.strip() for a in aliases.split("|") if a.strip()] if aliases else [],
        })
    return rows


def read_abbrev(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if not lines or lines[0].split("\t") != ABBREV_HEADER:
        raise GazError(f"{path.name}: header must be {'<TAB>'.join(ABBREV_HEADER)}")
    out = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise GazError(f"{path.name}:{n}: expected 2 columns: {line!r}")
        out.append((cols[0].strip(), cols[1].strip()))
    return out


def write_tsv(path: Path, rows: list[dict]) -> None:
    out = ["\t".join(HEADER)]
    for r in rows:
        out.append("\t".join([r["name"], r["type"], r["id"], r["en"], "|".join(r["aliases"])]))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def gazetteer_files() -> list[Path]:
    return sorted(p for p in GAZ.glob("*.tsv") if p.name != ABBREV_FILE)


# --------------------------------------------------------------------- tidying

def _en_is_surface(en: str) -> bool:
    return bool(en) and "(" not in en


def tidy_row(r: dict) -> dict:
    r = dict(r)
    # the name is shown to users: full-width → ASCII only, no Traditional → Simplified
    # (OpenCC turns the Simplified 昇腾 into 升腾); the aliases are what is matched
    r["name"] = unicodedata.normalize("NFC", _fullwidth_to_ascii(r["name"])).strip()
    r["en"] = _fullwidth_to_ascii(r["en"]).strip()
    forms = [tidy_form(a) for a in r["aliases"]]
    if _en_is_surface(r["en"]):
        forms.append(r["en"])
    seen = {r["name"]}
    aliases = []
    for a in forms:
        if a and a not in seen:
            seen.add(a)
            aliases.append(a)
    r["aliases"] = aliases
    return r


# --------------------------------------------------------------------- countries

def build_countries() -> list[dict]:
    import pycountry
    import yaml

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    extra = overlay.pop("_extra", [])
    capital_en = overlay.pop("_capital_en", {})
    unknown = (set(overlay) | set(capital_en)) - {c.alpha_2 for c in pycountry.countries}
    if unknown:
        raise GazError(f"overlay codes not in ISO 3166-1: {sorted(unknown)}")
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        o = overlay.get(c.alpha_2) or {}
        name = o.get("name") or zh.gettext(c.name)
        if name == c.name:
            raise GazError(f"{c.alpha_2}: no zh_CN name in pycountry and none in the overlay")
        common = getattr(c, "common_name", None)
        en = o.get("en") or common or c.name
        if "," in en:          # "Palestine, State of" → "Palestine"
            en = en.split(",")[0]
        english = [en, c.name, common, getattr(c, "official_name", None)]
        drop = set(o.get("drop") or [])
        english = [e for e in english if e and "," not in e and e not in drop]
        aliases = list(o.get("aliases") or [])
        if o.get("capital"):
            aliases.append(o["capital"])
        if capital_en.get(c.alpha_2):
            aliases.append(capital_en[c.alpha_2])
        aliases += english
        rows.append(tidy_row({"name": name, "type": "GPE", "id": c.alpha_2, "en": en, "aliases": aliases}))
    for e in extra:
        rows.append(tidy_row({"name": e["name"], "type": e["type"], "id": e.get("id") or "",
                              "en": e.get("en") or "", "aliases": list(e.get("aliases") or [])}))
    return rows


# --------------------------------------------------------------------- checking

def check(rows: list[dict], abbrev: list[tuple[str, str]] | None = None) -> list[str]:
    """Every convention violation, as a message; empty when the gazetteer is sound."""
    problems = []
    names: dict[str, dict] = {}
    surfaces: dict[str, dict] = {}
    for r in rows:
        where = f"{r['file']}:{r['line']} {r['name']}"
        if r["type"] not in TYPES:
            problems.append(f"{where}: type {r['type']!r} not one of {sorted(TYPES)}")
        if not _ID.match(r["id"]):
            problems.append(f"{where}: id {r['id']!r} is not empty or two capitals")
        if not r["name"] or not _HAN.search(r["name"]) and r["type"] not in ("PRODUCT", "ORG"):
            problems.append(f"{where}: name must be Chinese (Latin only for ORG and PRODUCT names)")
        if len(r["name"]) == 1 and _HAN.match(r["name"]) and r["type"] != "MATERIAL":
            problems.append(f"{where}: one-character name")
        if r["name"] in names:
            o = names[r["name"]]
            problems.append(f"{where}: name also in {o['file']}:{o['line']}")
        names[r["name"]] = r
        for form in [r["name"]] + r["aliases"]:
            bad = set(form) & set("\t|\n") or re.search(r"[\uff01-\uff5e\u3000]", form)
            if bad:
                problems.append(f"{where}: bad character in form {form!r}")
            if form != r["name"]:
                if len(form) == 1:
                    problems.append(f"{where}: one-character alias {form!r} (put it in {ABBREV_FILE})")
                if form in STOPWORDS:
                    problems.append(f"{where}: alias {form!r} is a common word")
                if _HAN.search(form) and tidy_form(form) != form:
                    problems.append(f"{where}: alias {form!r} is not normalised (Simplified, ASCII)")
            key = form.casefold()
            o = surfaces.get(key)
            if o is not None and o is not r:
                problems.append(f"{where}: form {form!r} also claimed by {o['file']}:{o['line']} {o['name']}")
            surfaces.setdefault(key, r)
    if abbrev is not None:
        seen = set()
        for ch, name in abbrev:
            if ch in seen:
                problems.append(f"{ABBREV_FILE}: {ch!r} twice")
            seen.add(ch)
            if not (1 <= len(ch) <= 2) or not _HAN.fullmatch(ch[0]):
                problems.append(f"{ABBREV_FILE}: {ch!r} is not a one- or two-character abbreviation")
            if name not in names:
                problems.append(f"{ABBREV_FILE}: {ch} → {name!r} names no gazetteer row")
    return problems


def load_all() -> tuple[list[dict], list[tuple[str, str]]]:
    rows = []
    for p in gazetteer_files():
        rows += read_tsv(p)
    abbrev_path = GAZ / ABBREV_FILE
    abbrev = read_abbrev(abbrev_path) if abbrev_path.exists() else []
    return rows, abbrev


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="check only, write nothing")
    args = ap.parse_args(argv)
    if not args.check:
        GAZ.mkdir(parents=True, exist_ok=True)
        write_tsv(GAZ / "countries.tsv", build_countries())
        for p in gazetteer_files():
            if p.name != "countries.tsv":
                write_tsv(p, [tidy_row(r) for r in read_tsv(p)])
    rows, abbrev = load_all()
    problems = check(rows, abbrev)
    for msg in problems:
        print(msg, file=sys.stderr)
    counts = {}
    for r in rows:
        counts[r["file"]] = counts.get(r["file"], 0) + 1
    for f, n in sorted(counts.items()):
        print(f"{f}\t{n}")
    print(f"{ABBREV_FILE}\t{len(abbrev)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
