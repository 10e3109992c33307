"""Questions about a document itself: its 文号, when it was issued, by whom, for which region.

These facts are the document's tags (index/tag.py), read from its head and signature lines;
the answer cites the sentence or line where the value is printed. A tag the document does not yield (a
region replaced by spam, a report without 文号) is refused with the reason, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer import Answer
from assistant.citations import Citations, sentence_span
from assistant.corpus import Corpus
from assistant.scope import find_issuers
from assistant.selection import doc_warnings
from assistant.tool import NotMine
from assistant.understand import Query, documents_of
from domain.kinds import asked_kind, date_name
from index.models import Document
from index.tag import OWN_LEVEL, short_region

MAX_LISTED = 5

_FIELD_CUES: dict[str, re.Pattern[str]] = {
    "doc_number": re.compile(
        r"发文字号|文号|发文号|文件编号|文件字号|document number|reference number", re.I
    ),
    "pub_date": re.compile(
        r"(?:什么时候|何时|哪天|哪一天|几月几日|哪年哪月)(?:被|由.{1,12})?(?:印发|发布|发文|出台|签发|成文|公布)"
        r"|(?:印发|发布|发文|出台|签发|成文|公布)(?:的)?(?:日期|时间)(?!内)"
        r"|(?:印发|发布|发文|出台|签发|公布)(?:于|在)?(?:什么时候|何时|哪天|哪一天)"
        r"|\bwhen (?:was|were|did)\b.*\b(?:issued|published|released|signed)\b",
        re.I,
    ),
    "issuer": re.compile(
        r"(?:哪个|哪一个|什么)(?:单位|部门|机关)(?:印发|发布|制定|发文|出具|编制)"
        r"|(?:谁|由谁)(?:印发|发布|制定|发文|编制)|发文机关|发布机关|印发机关|发文单位|发布单位"
        r"|\bwho (?:issued|published|wrote)\b",
        re.I,
    ),
    "region": re.compile(
        r"(?:是|属于)?(?:哪个|哪一个|什么)(?:地区|地方|区县|区|县|市)的"
        r"|哪里的(?:报告|年报|文件|要点)|\bwhich (?:region|district|city|county)\b",
        re.I,
    ),
    "phone": re.compile(r"电话|联系方式|\b(?:tele)?phone\b", re.I),
    "email": re.compile(r"邮箱|电子邮件|\be-?mail\b", re.I),
    "postcode": re.compile(r"邮编|邮政编码|\b(?:postcode|zip code)\b", re.I),
    "address": re.compile(r"(?<!网站)地址|\baddress\b", re.I),
}
# Contact details are printed in a report's closing lines (电话：0517-87290606).
_CONTACT_VALUES = {
    "phone": re.compile(r"电\s*话\s*[：:]\s*(\d[\d\s\-—－]{5,20}\d)"),
    "email": re.compile(r"邮\s*箱\s*[：:]\s*([\w.\-]+@[\w.\-]+[a-z])", re.I),
    "postcode": re.compile(r"邮\s*编\s*[：:]\s*(\d(?:\s*\d){5})"),
    "address": re.compile(r"地\s*址\s*[：:]\s*([^，,；;）)\n]{4,40})"),
}
_FIELD_NAMES = {
    "doc_number": "发文字号",
    "pub_date": "印发日期",
    "issuer": "发文机关",
    "region": "地区",
    "phone": "联系电话",
    "email": "电子邮箱",
    "postcode": "邮编",
    "address": "联系地址",
}


class DocumentFieldTool:
    """A document's own fields (文号, 印发日期, 发文机关, 地区, contact lines), from its tags."""

    name = "document"

    def answer(self, query: Query, corpus: Corpus) -> Answer | NotMine:
        field = asked_field(query.question)
        if field is None:
            return NotMine("asks for no field of a document")
        about = documents_asked(query.question, query.regions, query.years, corpus.documents)
        if not about:
            return NotMine("names no document the corpus holds")
        return answer_document_field(field, about, query.question)


def asked_field(question: str) -> str | None:
    """Which document field a question asks for (doc_number, pub_date, issuer, region).

    Only 文号 names a document by itself; the other fields need the question to name the
    document (报告, 工作要点, 通知, 文件): "多长时间内要发布权威信息" asks about a task."""
    for name, pattern in _FIELD_CUES.items():
        about_document = names_document(question) or (
            name in _CONTACT_VALUES and "联系" in question
        )
        if pattern.search(question) and (name == "doc_number" or about_document):
            return name
    return None


def names_document(question: str) -> bool:
    return asked_kind(question) is not None or any(w in question for w in ("文件", "这份", "本文"))


def printed_span(text: str, value: str) -> tuple[int, int] | None:
    """Where ``value`` is printed in ``text``, allowing spaces and bracket variants."""
    parts = []
    for ch in value:
        if ch in "〔〕[]［］()（）":
            parts.append(r"[〔〕\[\]［］()（）]")
        elif not ch.isspace():
            parts.append(re.escape(ch))
    m = re.search(r"\s*".join(parts), text)
    return m.span() if m else None


def date_span(text: str, iso: str) -> tuple[int, int] | None:
    """Where an ISO date is printed as 2020年8月27日 (spaces and leading zeros allowed), or as
    the crawler header's 发布时间: 2025-01-20."""
    year, month, day = (int(p) for p in iso.split("-"))
    m = re.search(rf"{year}\s*年\s*0?{month}\s*月\s*0?{day}\s*日", text) or re.search(
        rf"{year}-0?{month}-0?{day}(?!\d)", text
    )
    return m.span() if m else None


def _value_and_span(doc: Document, field: str) -> tuple[str, tuple[int, int] | None]:
    if field in _CONTACT_VALUES:
        m = _CONTACT_VALUES[field].search(doc.text)
        return (re.sub(r"\s+", "", m.group(1)), m.span(1)) if m else ("", None)
    if field == "pub_date":
        if not doc.pub_date:
            return "", None
        year, month, day = (int(p) for p in doc.pub_date.split("-"))
        return f"{year}年{month}月{day}日", date_span(doc.text, doc.pub_date)
    if field == "issuer":
        return printed_issuer(doc)
    value = getattr(doc, field)
    return value, printed_span(doc.text, value) if value else None


def printed_issuer(doc: Document) -> tuple[str, tuple[int, int] | None]:
    """The issuer's full printed name (region + body) and where it is printed.

    Tags keep region and issuer apart (济南市莱芜区 + 办公室); the answer names the body as the
    document prints it (济南市莱芜区人民政府办公室), shortest region form last (莱芜区…)."""
    if not doc.issuer or not doc.region:
        return "", None
    bodies = [""] if doc.issuer == OWN_LEVEL else [doc.issuer, "人民政府" + doc.issuer]
    for region in dict.fromkeys((doc.region, short_region(doc.region))):
        for body in bodies:
            span = printed_span(doc.text, region + body)
            if span:
                return re.sub(r"\s+", "", doc.text[span[0] : span[1]]), span
    return "", None


def _missing_reason(doc: Document, field: str) -> str:
    if field == "region" and "region_unknown" in doc.warnings:
        spam = any(w.startswith("spam_injected") for w in doc.warnings)
        cause = "原文中的地区名称被无关文字替换，" if spam else ""
        return f"{cause}标题、正文和落款中都没有可识别的地区名称"
    return f"文件的文字中没有找到{_FIELD_NAMES[field]}"


def documents_asked(
    question: str, regions: Sequence[str], years: Sequence[int], documents: Sequence[Document]
) -> list[Document]:
    """The documents a field question is about: its regions, years, kind (要点/年报) and the
    department it names (平潭公安局2019年报 → that department's report)."""
    kind = asked_kind(question)
    docs = [d for d in documents_of(documents, regions, years) if kind is None or d.kind == kind]
    issuers, _ = find_issuers(question, docs)
    return [d for d in docs if d.issuer in issuers] if issuers else docs


def answer_document_field(field: str, docs: Sequence[Document], question: str = "") -> Answer:
    """Answer a document-field question from the documents' tags, citing the printed line.

    The answer's route is retrieval's (``rag``): the document's text answers, not a table."""
    citations = Citations()
    lines, refused_all = [], True
    for doc in docs[:MAX_LISTED]:
        label = date_name(doc.kind) if field == "pub_date" else _FIELD_NAMES[field]
        value, span = _value_and_span(doc, field)
        name = f"《{doc.title}》" if doc.title else "该文件"
        if not value or span is None:
            lines.append(f"资料中无法确定{name}的{label}：{_missing_reason(doc, field)}。")
            continue
        refused_all = False
        n = citations.cite(doc, *sentence_span(doc.text, *span))
        lines.append(f"{name}的{label}为{value}[{n}]。")
    if len(docs) > MAX_LISTED:
        lines.append(f"（另有{len(docs) - MAX_LISTED}份文件未列出，请写明地区和年份。）")
    return Answer(
        question, "\n".join(lines), "rag", refused=refused_all, citations=citations.items,
        warnings=doc_warnings(docs), mode="refused" if refused_all else "document",
    )  # fmt: skip
