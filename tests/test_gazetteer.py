"""Data validation for service/data/gazetteer/*.tsv (see the README there)."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pycountry
import pytest

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "service" / "data" / "gazetteer"
HEADER = "name\ttype\tid\ten\taliases"
TYPES = {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "MATERIAL", "LAW"}
FILES = ["countries.tsv", "regions.tsv", "orgs_intl.tsv", "orgs_gov.tsv", "companies.tsv",
         "media.tsv", "people.tsv", "materials.tsv", "laws.tsv", "products.tsv"]
FUNCTION_WORDS = set("的 了 是 在 和 与 及 对 将 把 被 从 向 为 于 以 等 也 都 而 或 但 并 就 其 "
                     "中 美 日 英 法 德 俄 韩 朝 印 澳 加 欧 台 港 华 方 国 人 大 新".split())
HAN = re.compile(r"[\u3400-\u9fff]")


def _rows(fname):
    lines = (GAZ / fname).read_text(encoding="utf-8").split("\n")
    assert lines[0] == HEADER, f"{fname}: header"
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) == 5, f"{fname}:{n}: {line!r}"
        name, typ, ident, en, aliases = cols
        rows.append(dict(file=fname, line=n, name=name, type=typ, id=ident, en=en,
                         aliases=aliases.split("|") if aliases else []))
    return rows


@pytest.fixture(scope="module")
def all_rows():
    return [r for f in FILES for r in _rows(f)]


@pytest.fixture(scope="module")
def by_name(all_rows):
    return {r["name"]: r for r in all_rows}


@pytest.mark.parametrize("fname", FILES)
def test_file_parses_with_exact_header_and_valid_types(fname):
    rows = _rows(fname)
    assert rows, f"{fname} is empty"
    for r in rows:
        assert r["type"] in TYPES, r
        assert re.fullmatch(r"|[A-Z]{2}", r["id"]), r
        assert r["name"] and r["name"] == r["name"].strip(), r
        assert all(a and a == a.strip() for a in r["aliases"]), r


def test_names_unique_across_files(all_rows):
    seen = {}
    for r in all_rows:
        assert r["name"] not in seen, f"{r['name']} in {r['file']} and {seen[r['name']]}"
        seen[r["name"]] = r["file"]


def test_no_surface_form_claimed_twice(all_rows):
    owner = {}
    clashes = []
    for r in all_rows:
        for form in {r["name"], *r["aliases"]}:
            key = form.casefold()
            if key in owner and owner[key] != r["name"]:
                clashes.append((form, owner[key], r["name"]))
            owner.setdefault(key, r["name"])
    assert not clashes, clashes[:20]


def test_no_single_character_or_function_word_alias(all_rows):
    for r in all_rows:
        for a in r["aliases"]:
            assert len(a) > 1, (r["name"], a)
            assert a not in FUNCTION_WORDS, (r["name"], a)


def test_forms_are_normalised_like_doc_norm(all_rows):
    from service.nlp.normalize import normalize

    # aliases are matched against doc.norm; the name is for display (昇腾 stays 昇腾)
    for r in all_rows:
        for form in [r["name"], *r["aliases"]]:
            assert not re.search(r"[\uff01-\uff5e\u3000]", form), (r["name"], form)
        for form in r["aliases"]:
            if HAN.search(form):
                assert normalize(form) == form, (r["name"], form, normalize(form))


def test_countries_cover_every_iso_code():
    rows = _rows("countries.tsv")
    assert len(rows) >= 240
    ids = {r["id"] for r in rows}
    missing = {c.alpha_2 for c in pycountry.countries} - ids
    assert not missing


@pytest.mark.parametrize("name,code,forms", [
    ("美国", "US", ["美方", "U.S.", "US", "United States", "American", "华盛顿"]),
    ("中国", "CN", ["中方", "陆方", "China", "Chinese", "PRC", "北京", "Beijing"]),
    ("日本", "JP", ["日方", "Japan", "东京"]),
    ("俄罗斯", "RU", ["俄方", "Russia", "莫斯科"]),
    ("印度", "IN", ["印方", "India", "新德里"]),
    ("韩国", "KR", ["韩方", "South Korea", "大韩民国"]),
    ("朝鲜", "KP", ["北韩", "DPRK", "North Korea"]),
    ("台湾", "TW", ["Taiwan"]),
    ("新西兰", "NZ", ["纽西兰", "New Zealand"]),
    ("欧盟", "EU", ["欧方", "EU", "European Union", "布鲁塞尔"]),
])
def test_country_forms(by_name, name, code, forms):
    r = by_name[name]
    assert r["id"] == code
    for f in forms:
        assert f in r["aliases"], (name, f)


def test_common_news_names_not_formal_ones(by_name):
    for n in ["美国", "英国", "俄罗斯", "韩国", "朝鲜", "越南", "老挝", "伊朗", "叙利亚", "委内瑞拉",
              "玻利维亚", "坦桑尼亚", "摩尔多瓦", "柬埔寨", "台湾"]:
        assert by_name[n]["type"] == "GPE", n
    assert by_name["欧盟"]["type"] == "ORG"


def test_countries_tsv_is_what_the_generator_builds():
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    built = [(r["name"], r["type"], r["id"], r["en"], r["aliases"]) for r in mod.build_countries()]
    stored = [(r["name"], r["type"], r["id"], r["en"], r["aliases"]) for r in _rows("countries.tsv")]
    assert built == stored, "run scripts/build_gazetteer.py"


def test_build_script_check_passes():
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rows, abbrev = mod.load_all()
    assert mod.check(rows, abbrev) == []


def test_country_abbrev(by_name):
    lines = (GAZ / "country_abbrev.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "char\tname"
    pairs = dict(line.split("\t") for line in lines[1:] if line.strip() and not line.startswith("#"))
    for ch, name in pairs.items():
        assert name in by_name, (ch, name)
    for ch, name in {"中": "中国", "华": "中国", "美": "美国", "日": "日本", "俄": "俄罗斯", "欧": "欧盟",
                     "韩": "韩国", "印": "印度", "澳": "澳大利亚", "台": "台湾"}.items():
        assert pairs[ch] == name


US_STATES = ("Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia "
             "Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts "
             "Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada New_Hampshire New_Jersey "
             "New_Mexico New_York North_Carolina North_Dakota Ohio Oklahoma Oregon Pennsylvania "
             "Rhode_Island South_Carolina South_Dakota Tennessee Texas Utah Vermont Virginia Washington "
             "West_Virginia Wisconsin Wyoming").split()
US_STATES = [s.replace("_", " ") for s in US_STATES]


def test_all_50_us_states():
    assert len(US_STATES) == 50
    rows = _rows("regions.tsv")
    states = [r for r in rows if r["name"].endswith("州") and r["type"] == "GPE"]
    en = set()
    for r in states:
        en.add(r["en"].split(" (")[0].replace(" State", "") if r["en"] != "West Virginia" else r["en"])
    missing = [s for s in US_STATES if s not in en]
    assert not missing


CN_PROVINCES = ("北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 "
                "江西省 山东省 河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 "
                "内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港 澳门 台湾").split()


def test_all_34_chinese_province_level_divisions(all_rows):
    assert len(CN_PROVINCES) == 34
    forms = {f for r in all_rows if r["type"] == "GPE" for f in [r["name"], *r["aliases"]]}
    missing = [p for p in CN_PROVINCES if p not in forms]
    assert not missing


RARE_EARTHS = {"镧": "Lanthanum", "铈": "Cerium", "镨": "Praseodymium", "钕": "Neodymium", "钷": "Promethium",
               "钐": "Samarium", "铕": "Europium", "钆": "Gadolinium", "铽": "Terbium", "镝": "Dysprosium",
               "钬": "Holmium", "铒": "Erbium", "铥": "Thulium", "镱": "Ytterbium", "镥": "Lutetium",
               "钪": "Scandium", "钇": "Yttrium"}


def test_all_17_rare_earth_elements(by_name):
    for zh, en in RARE_EARTHS.items():
        r = by_name[zh]
        assert r["type"] == "MATERIAL" and r["en"] == en, r


@pytest.mark.parametrize("form,name", [
    ("商务部", "商务部"), ("美国商务部", "美国商务部"), ("五角大楼", "美国国防部"), ("USTR", "美国贸易代表办公室"),
    ("BIS", "美国商务部工业与安全局"), ("川普", "特朗普"), ("Trump", "特朗普"), ("WTO", "世界贸易组织"),
    ("NdFeB", "钕铁硼磁铁"), ("CATL", "宁德时代"), ("Reuters", "路透社"), ("Section 301", "301条款"),
    ("F-35", "F-35"), ("Lynas", "莱纳斯"), ("MP材料", "MP Materials"),
    # longer forms that keep a shorter one from firing inside them
    ("中美洲", "中美洲"), ("Latin American", "拉丁美洲"), ("Southeast Asian", "东南亚"), ("北京市", "北京市"),
    ("刚果(金)", "刚果民主共和国"), ("刚果(布)", "刚果共和国"), ("美国国务院", "美国国务院"), ("国务院", "国务院"),
])
def test_key_forms_link_to_one_canonical_row(all_rows, form, name):
    owners = [r["name"] for r in all_rows if form == r["name"] or form in r["aliases"]]
    assert owners == [name]


def test_traps_are_not_aliases(all_rows):
    forms = {f for r in all_rows for f in [r["name"], *r["aliases"]]}
    for word in ["美元", "日元", "欧元", "港元", "西方", "中非", "中欧", "人大", "人行", "加国", "自由港", "石破",
                 "大众", "现代", "通用", "联想", "普惠", "中国稀土", "美国稀土",
                 # forms that straddle common word boundaries: 化工|行业, 其中|芯片, 努力|拓展, 沿海|地区,
                 # 自信|越来越, 提高|市场, 今天|合作, 市场上|合计, 发布|油价, 以|方便, 平台|方面
                 "中芯", "海地", "信越", "高市", "天合", "上合", "布油", "以方", "台方",
                 "中信", "中化", "中核", "中粮", "中投", "中铝", "上汽", "广汽", "一汽", "东加", "战争部"]:
        assert word not in forms, word


@pytest.mark.parametrize("traditional,name", [
    ("美國", "美国"), ("中華人民共和國", "中国"), ("臺灣", "台湾"), ("澳大利亞", "澳大利亚"), ("紐西蘭", "新西兰"),
    ("義大利", "意大利"), ("沙烏地阿拉伯", "沙特阿拉伯"), ("寮國", "老挝"), ("北韓", "朝鲜"), ("俄羅斯", "俄罗斯"),
    ("歐盟", "欧盟"), ("川普", "特朗普"), ("輝達", "英伟达"), ("台積電", "台积电"), ("鴻海", "鸿海"),
    ("稀土磁鐵", "稀土磁铁"), ("釹鐵硼", "钕铁硼磁铁"), ("鏑", "镝"), ("鋱", "铽"), ("碳酸鋰", "碳酸锂"),
    ("美國商務部", "美国商务部"), ("國務院", "国务院"), ("海關總署", "海关总署"), ("路透社", "路透社"),
    ("紐約", "纽约"), ("雪梨", "悉尼"), ("廣東", "广东"), ("加利福尼亞州", "加利福尼亚州"),
])
def test_traditional_text_finds_the_simplified_row(all_rows, traditional, name):
    from service.nlp.normalize import normalize

    owners = [r["name"] for r in all_rows if normalize(traditional) in (r["name"], *r["aliases"])]
    assert owners == [name], (traditional, normalize(traditional), owners)


def test_subdivisions_from_iso_3166_2(all_rows):
    """US states (English) and Chinese province-level divisions (pycountry's zh_CN) are all present."""
    import gettext

    gpe_forms = {f for r in all_rows if r["type"] == "GPE" for f in [r["name"], r["en"], *r["aliases"]]}
    state_en = {r["en"].split(" (")[0].removesuffix(" State") for r in all_rows
                if r["file"] == "regions.tsv" and r["name"].endswith("州")}
    states = [s.name for s in pycountry.subdivisions.get(country_code="US") if s.type == "State"]
    assert len(states) == 50
    assert not [s for s in states if s not in state_en]
    zh = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    names = [zh.gettext(s.name) for s in pycountry.subdivisions.get(country_code="CN")]
    assert len(names) == 34
    assert not [n for n in names if HAN.search(n) and n not in gpe_forms]


def test_reported_name_is_the_name_as_written():
    # OpenCC turns the Simplified 昇 into 升; matching goes through the normalised forms, the
    # reported name is the file's own (毕昇, 昇腾芯片)
    from service.nlp import pipeline
    out = pipeline.analyze("华为昇腾芯片出货量增长，活字印刷术由毕昇发明。", include=["entities"])
    names = {e["name"] for e in out["entities"]}
    assert {"昇腾芯片", "毕昇"} <= names
