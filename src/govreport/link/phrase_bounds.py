"""Boundaries of the INDICATOR phrase a relation rule reads before its figure, as the guidelines set them.

The relation rules (link.py) find where a phrase ends; this module moves its edges to where the annotation
guidelines put them: a coordinated phrase whole (召开新闻发布会、媒体见面会、新闻通报会18场次), a count word
after it inside (网上申请数5条), the subject before an adverb outside (“临沧早八点”共推送365期 → 推送), light
verbs and trailing adverbs outside. Patterns in configs/phrase_bounds.yml. Offsets are those of the compact
view link.py reads; the learned linker sees the refined phrase as the rules' choice and varies its edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from ..config import load_config
from ..indicators import load_indicators

CONFIG = "phrase_bounds.yml"


@dataclass(frozen=True)
class PhraseBounds:
    """configs/phrase_bounds.yml compiled, with the phrase characters of configs/link.yml."""

    phrase_char: re.Pattern[str]
    joiners: re.Pattern[str]
    etc_joins: re.Pattern[str]  # what must follow 等 for it to join a list to the phrase
    max_chars: int
    min_item_chars: int
    item_modifier_end: str
    right_item: re.Pattern[str]
    not_between: re.Pattern[str]
    partial_item: re.Pattern[str]
    count_suffix: re.Pattern[str]
    interior_adverbs: re.Pattern[str]
    light_verbs: re.Pattern[str]
    leading_words: re.Pattern[str]
    interior_light_verbs: re.Pattern[str]
    scope_not_before: re.Pattern[str]
    trailing: re.Pattern[str]
    quotes: tuple[str, str]
    not_action_verbs: re.Pattern[str]
    modifiers: re.Pattern[str]
    frame_prepositions: re.Pattern[str]
    verb_kind: re.Pattern[str]
    verb_joiners: str
    manner_adverbs: re.Pattern[str]
    channel_count: re.Pattern[str]
    channel_bare_count: re.Pattern[str]
    channel_bare_not_before: str
    channel_words: re.Pattern[str]
    channel_max_chars: int
    channel_verbs: re.Pattern[str]
    channel_several: re.Pattern[str]  # channels listed: the count is over several
    predicate_verbs: re.Pattern[str]
    min_chars: int
    form_rows: frozenset[str]
    form_row_lengths: tuple[int, ...]
    row_new: re.Pattern[str]
    noun_bracket: re.Pattern[str]
    # configs predicate: a counted noun or a subject figure followed by what says which count it is
    predicate_unit_nouns: re.Pattern[str]
    predicate_unit_noun_goes_on: re.Pattern[str]
    predicate_unit_verbs: re.Pattern[str]
    predicate_subject_verbs: re.Pattern[str]
    predicate_not_after_noun: re.Pattern[str]
    predicate_prefix: re.Pattern[str]
    predicate_clause_end: re.Pattern[str]
    predicate_appositive: re.Pattern[str]
    predicate_max_chars: int
    figure_subject_before: re.Pattern[str]
    figure_copula: re.Pattern[str]
    figure_passive: re.Pattern[str]
    title_cited: re.Pattern[str]
    title_channel_max_chars: int


@lru_cache(maxsize=1)
def load_bounds() -> PhraseBounds:
    """configs/phrase_bounds.yml compiled once per process."""
    cfg = load_config(CONFIG)
    return PhraseBounds(
        phrase_char=re.compile(load_config("link.yml")["phrase_char"]),
        joiners=re.compile(cfg["coordination"]["joiners"]),
        etc_joins=re.compile(cfg["coordination"]["etc_joins"]),
        max_chars=cfg["coordination"]["max_chars"],
        min_item_chars=cfg["coordination"]["min_item_chars"],
        item_modifier_end=cfg["coordination"]["item_modifier_end"],
        right_item=re.compile(f"(?:{cfg['coordination']['right_joiners']})" + load_config("link.yml")["phrase_char"]
                              + "{2,}"),
        not_between=re.compile(cfg["coordination"]["not_between"]),
        partial_item=re.compile(cfg["coordination"]["partial_item"]),
        count_suffix=re.compile(cfg["count_suffix"]),
        interior_adverbs=re.compile(cfg["interior_adverbs"]),
        light_verbs=re.compile(f"(?:{cfg['light_verbs']})"),
        leading_words=re.compile(f"(?:{cfg['leading_words']})+"),
        interior_light_verbs=re.compile(cfg["interior_light_verbs"]),
        scope_not_before=re.compile(f"(?:{cfg['scope_not_before']})"),
        trailing=re.compile(cfg["trailing"]),
        quotes=tuple(cfg["quotes"]),
        not_action_verbs=re.compile(f"(?:{cfg['not_action_verbs']})$"),
        modifiers=re.compile(f"(?:{cfg['modifiers']})$"),
        frame_prepositions=re.compile(cfg["frame_prepositions"]),
        verb_kind=re.compile(cfg["verb_kind"]),
        verb_joiners=cfg["verb_joiners"],
        manner_adverbs=re.compile(f"(?:{cfg['manner_adverbs']})$"),
        channel_count=re.compile(f"(?:{cfg['channel']['count']})$"),
        channel_bare_count=re.compile(f"(?:{cfg['channel']['bare_count']})$"),
        channel_bare_not_before=cfg["channel"]["bare_not_before"],
        channel_words=re.compile(cfg["channel"]["words"]),
        channel_max_chars=cfg["channel"]["max_chars"],
        channel_verbs=re.compile(cfg["channel"]["verbs"]),
        channel_several=re.compile(cfg["channel"]["several"]),
        predicate_verbs=re.compile(f"(?:{cfg['predicate']['verbs']})(?!{cfg['predicate']['verb_as_noun']})"),
        min_chars=cfg["min_chars"],
        form_rows=(rows := _form_rows(cfg)),
        form_row_lengths=tuple(sorted({len(r) for r in rows}, reverse=True)),
        row_new=re.compile(f"(?:{cfg['row_new']['before']})(?={cfg['row_new']['verbs']})"),
        noun_bracket=re.compile(cfg["predicate"]["noun_bracket"]),
        predicate_unit_nouns=re.compile(cfg["predicate"]["unit_nouns"]),
        predicate_unit_noun_goes_on=re.compile(cfg["predicate"]["unit_noun_goes_on"]),
        predicate_unit_verbs=re.compile(cfg["predicate"]["unit_verbs"]),
        predicate_subject_verbs=re.compile(cfg["predicate"]["verbs"]),
        predicate_not_after_noun=re.compile(cfg["predicate"]["not_after_noun"]),
        predicate_prefix=re.compile(f"(?:{cfg['predicate']['prefix']})+"),
        predicate_clause_end=re.compile(cfg["predicate"]["clause_end"]),
        predicate_appositive=re.compile(cfg["predicate"]["appositive"]),
        predicate_max_chars=cfg["predicate"]["max_chars"],
        figure_subject_before=re.compile(cfg["predicate"]["figure_subject_before"]),
        figure_copula=re.compile(cfg["predicate"]["figure_copula"]),
        figure_passive=re.compile(cfg["predicate"]["figure_passive"]),
        title_cited=re.compile(f"(?:{cfg['title_cited']})$"),
        title_channel_max_chars=cfg["title_channel_max_chars"],
    )


def _form_rows(cfg: dict) -> frozenset[str]:
    """The forms' row names (configs/indicators.yml labels and aliases, cut at · and ｜) long enough to keep whole."""
    rows = set()
    for ind in load_indicators().values():
        for name in ind.names:
            for part in re.split(cfg["form_row_split"], name):
                part = re.sub(cfg["form_row_suffix"], "", part)
                if len(part) >= cfg["form_row_min_chars"]:
                    rows.add(part)
    return frozenset(rows)


class LinkPatterns(Protocol):
    """The patterns of configs/link.yml refine_phrase reads (link.py's compiled rules)."""

    strip_prefix: re.Pattern[str]
    scope_any: re.Pattern[str]
    filler_between: re.Pattern[str]
    after_number: re.Pattern[str]
    verbs: re.Pattern[str]
    noun_stop: re.Pattern[str]
    verb_in_field_name: re.Pattern[str]


def refine_phrase(view: str, start: int, end: int, fig_start: int, link: LinkPatterns) -> tuple[int, int]:
    """The guidelines' edges of the phrase view[start:end] read before the figure at ``fig_start``; ``link``:
    the prefix, scope, filler, after-number and verb patterns of the relation rules."""
    b = load_bounds()
    if not 0 <= start < end <= fig_start:
        return start, end
    first = start
    end = _count_suffix(b, view, _coordination_right(b, view, start, end, fig_start, link), fig_start, link)
    start = _coordination(b, view, start, end, link)
    start = _after_adverb(b, view, start, end)
    start = _after_scope(b, view, start, end, link)
    start = _after_light_verb(b, view, start, end)
    start = _after_frame(b, view, start, end, link)
    start = _light_verbs(b, view, strip_leading(view, start, end), end, link)
    start = _manner_adverb(b, view, _action_verb(b, view, start, end, link), end, link)
    start = _at_predicate_verb(b, view, start, end)
    start = _after_channel(b, view, start, end, link)
    start = _channel(b, view, start, end, fig_start, link)
    end = _trailing(b, view, start, end)
    start, end = _unquoted(b, view, _row_new(b, view, _whole_form_row(b, view, start, end)), end)
    return title_start(view, first, start), end


def title_start(view: str, lo: int, start: int) -> int:
    """A phrase start inside a 《》 title opened at or after ``lo`` goes back to the title's opening: a title is never
    cut (编印《中华人民共和国…公报》: the 共 of its name is no adverb; guidelines 1, nothing inside 《》 on its own)."""
    opening = view.rfind("《", lo, start)
    return opening if opening >= 0 and view.find("》", opening, start) < 0 else start


def _row_new(b: PhraseBounds, view: str, start: int) -> int:
    """A start right after or inside the 本年新 of a form's row verb (新公开规范性文件, 本年新制作规章) goes back to
    its start."""
    for back in range(3, 0, -1):
        m = b.row_new.match(view, start - back) if start >= back else None
        if m is not None and m.end() >= start:
            return m.start()
    return start


def _whole_form_row(b: PhraseBounds, view: str, start: int, end: int) -> int:
    """A start inside a form's row name that the text ends with at the phrase's end goes back to the name's start
    (告知通过其他途径办理: the frame preposition would keep only 办理; 本年新公开数量, 不是《条例》所指政府信息: the reading
    had already dropped 本年 as a time word and stopped at the title)."""
    for length in b.form_row_lengths:
        if (start > end - length >= 0 and view[end - length:end] in b.form_rows
                and not b.light_verbs.match(view, end - length, end)):  # 涉及国家秘密: the light verb stays out
            return end - length
    return start


def _count_suffix(b: PhraseBounds, view: str, end: int, fig_start: int, link: LinkPatterns) -> int:
    m = b.count_suffix.match(view, end, fig_start)
    return m.end() if m and link.filler_between.match(view, m.end(), fig_start) else end


def _coordination_right(b: PhraseBounds, view: str, start: int, end: int, fig_start: int, link: LinkPatterns) -> int:
    """The end of the coordination the phrase opens (解读重要政策和措施不少于1次, 召开…会议或专题会议数55场次):
    an item joined after it, with only filler words between it and the figure, belongs to the phrase."""
    if b.not_between.search(view, end, fig_start):
        return end  # A和B分别为3件、5件: the items pair with the figures
    m = b.right_item.match(view, end, fig_start)
    if m is None or m.end() - start > b.max_chars or _partial_item(b, view, end, m.end()):
        return end
    item_end = m.end()
    while item_end > end and not link.filler_between.match(view, item_end, fig_start):
        item_end -= 1  # the filler before the figure (共, 达) is no part of the item
    return item_end if item_end - end >= 3 else end


def _partial_item(b: PhraseBounds, view: str, end: int, item_end: int) -> bool:
    """Whether the item joined at ``end`` opens with a word that takes part of it (部分企业代表: coordination
    ``partial_item``)."""
    joiner = re.match(load_config(CONFIG)["coordination"]["right_joiners"], view[end:item_end])
    return bool(b.partial_item.match(view, end + (joiner.end() if joiner else 1)))


def _coordination(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """The start of the coordination the phrase ends (items joined by 、 before it), else ``start``."""
    new = start
    while new > 0 and b.joiners.fullmatch(view, new - 1, new):
        if view[new - 1] == "等" and not b.etc_joins.match(view, new):
            break  # channels or kinds closed by 等 before a phrase of what they carry (微博微信等主动公开…) are a frame
        pos = new - 1
        while pos > 0 and b.phrase_char.fullmatch(view, pos - 1, pos):
            pos -= 1
        if pos > 0 and view[pos - 1].isdigit():
            m = link.after_number.match(view, pos, new - 1)
            if not m:
                break  # the item before is a figure's unit: an enumeration of figures, not one phrase
            pos = m.end()  # the rest of a date (2021年累计发布…)
        item = skip_words(view, pos, new - 1, link.strip_prefix, link.scope_any)
        modifier = view.rfind(b.item_modifier_end, item, new - 1)
        if modifier >= 0:
            item = modifier + 1  # 公开曝光存在不良行为的投标企业、供应商: the modifier before 的 is the frame
        if end - item > b.max_chars:
            # too long: the item from its last verb (the object before it is the frame: 门户网公开…)
            verbs = [m.start() for m in link.verbs.finditer(view, item, new - 1)]
            item = verbs[-1] if verbs and end - verbs[-1] <= b.max_chars else new - 1
        if new - 1 - item < b.min_item_chars:
            break
        opened = item > pos
        new = item
        if opened:
            break  # prefix, scope words or a verb opened the item: the coordination starts here
    return new


def _after_adverb(b: PhraseBounds, view: str, start: int, end: int) -> int:
    last = None
    for m in b.interior_adverbs.finditer(view, start, end):
        if m.start() > start and end - m.end() >= b.min_chars:
            last = m
    return last.end() if last is not None else start


def strip_leading(view: str, start: int, end: int) -> int:
    """The start after the words that open no phrase (各类, 累计, 等), keeping at least ``min_chars``."""
    b = load_bounds()
    m = b.leading_words.match(view, start, end)
    return m.end() if m and end - m.end() >= b.min_chars else start


def _after_scope(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """The start after the last scope word inside the phrase (确认市本级行政审批事项 → 行政审批事项); not when a
    joiner follows it (市政府及相关部门、区政府承办的提案: one of several subjects of a clause)."""
    last = start
    for m in link.scope_any.finditer(view, start, end):
        if (m.start() > start and end - m.end() >= b.min_chars and b.phrase_char.match(view, m.end())
                and not b.scope_not_before.match(view, m.end(), end)):
            last = m.end()
    return last


def _after_light_verb(b: PhraseBounds, view: str, start: int, end: int) -> int:
    """The start after the last light verb inside the phrase, outside quotes and titles (门户网站开展民意征集 →
    民意征集)."""
    last = start
    for m in b.interior_light_verbs.finditer(view, start, end):
        before = view[start:m.start()]
        quoted = before.count("“") != before.count("”") or before.count("《") != before.count("》")
        if m.start() > start and end - m.end() >= b.min_chars and not quoted:
            last = m.end()
    return last


def _after_frame(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """The phrase from the first verb after its last preposition (在政府网站公布处理结果 → 公布处理结果): the
    place or channel a preposition introduces frames the count."""
    for m in reversed(list(b.frame_prepositions.finditer(view, start, end))):
        if _quoted(b, view, start, m.start()):
            continue
        verb = link.verbs.search(view, m.end(), end)
        if verb is None or end - verb.start() < b.min_chars:
            continue
        field = link.verb_in_field_name.search(view, m.end(), verb.end())
        # the 公开 of a field's name (政府信息公开申请, 政务公开栏) is no verb: the phrase is not cut inside the name
        return field.start() if field else verb.start()
    return start


def _quoted(b: PhraseBounds, view: str, lo: int, pos: int) -> bool:
    """Whether ``pos`` stands inside a quotation opened after ``lo`` (the 在 of “豫警在线”政务微博 is a name's, no
    preposition)."""
    opening, closing = b.quotes
    return view.rfind(opening, lo, pos) > view.rfind(closing, lo, pos)


def _at_predicate_verb(b: PhraseBounds, view: str, start: int, end: int) -> int:
    """A phrase that holds a predicate verb after its start (configs predicate.verbs: 享受, 申报, 纳入…) begins at
    it: what stands before it is the predicate's subject (企业申报享受固定资产加速折旧优惠 → 申报享受…) or an action
    the count is not of (公示享受招考优录加分 → 享受招考优录加分). Train+dev gold: each of its 15 phrases that hold
    one starts with it. Not a verb that makes a noun (获得感)."""
    m = b.predicate_verbs.search(view, start + 1, end)
    return m.start() if m is not None and end - m.start() >= b.min_chars + len(m.group()) else start


def _after_channel(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """A phrase that opens with a channel's name and its verb of publishing counts what it names, which the
    channel only carries: the phrase from the verb (门户网站公开儿童预防接种相关信息 → 公开儿童预防接种相关信息, as
    after 通过 or 在, ``_after_frame``); not the channel's own disclosure count (区政府门户网站主动公开政府信息,
    ``_channel``), nor a name with another verb before the channel's (受理网上申请)."""
    # the first verb that is no part of the field's name (镇政务公开栏张贴公告: 公开 of 政务公开 names the board)
    verb = next((m for m in b.channel_verbs.finditer(view, start, end)
                 if not b.modifiers.search(view, start, m.end())), None)
    if verb is None or verb.start() == start or verb.start() - start > b.channel_max_chars:
        return start
    if (end - verb.end() < b.min_chars or b.channel_count.match(view, verb.start(), end)
            or not b.channel_words.search(view, start, verb.start())
            or any(not b.modifiers.search(view, start, m.end()) and not b.channel_words.match(view, m.start())
                   for m in link.verbs.finditer(view, start, verb.start()))):  # 公开栏 names the board
        return start
    return verb.start()


def _channel(b: PhraseBounds, view: str, start: int, end: int, fig_start: int, link: LinkPatterns) -> int:
    """A count that only its channel tells from the others (区政府门户网站主动公开政府信息, “某某之声”公众号推送信息,
    政务公开专区发布信息, 区政府门户网站公开2916条: guidelines 1, the channel is part of the count, the site's name inside) takes in the
    channel's whole name: back to the frame preposition before it in its clause (通过, 在), else to the clause start
    (time and subject words out)."""
    m = b.channel_count.search(view, start, end)
    if m is None and b.channel_bare_not_before not in view[end:fig_start]:
        m = b.channel_bare_count.search(view, start, end)  # 区政府门户网站公开2916条: the verb alone
    if m is None:
        return start
    lo, pos = max(0, m.start() - b.channel_max_chars), m.start()
    while pos > lo and (b.phrase_char.match(view, pos - 1) or view[pos - 1] in "“”"):
        pos -= 1
    preps = [p for p in b.frame_prepositions.finditer(view, pos, m.start()) if not _quoted(b, view, pos, p.start())]
    if preps:
        name_start = preps[-1].end()
    elif pos == 0 or (pos > lo and view[pos - 1] not in "、"):  # the clause or text start (not an item of a list)
        if pos and view[pos - 1].isdigit() and (rest := link.after_number.match(view, pos, m.start())):
            pos = rest.end()  # the rest of a date (2018年度我区政府门户网站…: unseen real reports)
        name_start = skip_words(view, pos, m.start(), link.strip_prefix, link.scope_any)
    else:
        return start
    if not b.channel_words.search(view, name_start, m.start()) or b.interior_adverbs.search(view, name_start, m.start()):
        return start  # no channel, or one an adverb keeps out (门户网站全年主动公开… → 主动公开…)
    if b.channel_several.search(view, name_start, m.start()):
        return start  # channels listed (…及官方微博微信等主动公开…): no one channel tells the count, which is the total's
    return min(start, name_start)


def _light_verbs(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    m = b.light_verbs.match(view, start, end)
    if not m or end - m.end() < b.min_chars:
        return start
    rest = skip_words(view, m.end(), end, link.strip_prefix, link.scope_any)
    return start if end - rest < b.min_chars else m.end()  # 完成全市37家…: nothing but scope words after it


def _action_verb(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """The action verb right before the phrase, taken in when it tells which count it is (发布依申请公开信息,
    guidelines 1), also before a title (发放《…公报》9300余份, GUIDELINES 4; 编印 is no action verb); not before a
    phrase that opens with a verb itself."""
    m = b.modifiers.search(view, max(0, start - 8), start)
    if m is not None:  # 政府信息公开行政复议: the compound that names the field is part of the name, and so is
        start = m.start()  # the action verb before it (被申请政府信息公开行政复议)
    verb = None if m is not None else link.verbs.match(view, start, end)
    if verb is None or b.verb_kind.match(view, verb.end(), end):  # 解读类稿件: a kind of thing, not an action
        m = _ending_with(link.verbs.pattern).search(view[max(0, start - 4):start])
        if m is None or b.not_action_verbs.search(m.group(0)):
            return start
        start -= len(m.group(0))
    # the phrase opens with a verb now: a verb coordinated with it is inside too (受理并办结…), no other one
    joined = _ending_with(f"(?P<verb>{link.verbs.pattern})(?:{b.verb_joiners})").search(view[max(0, start - 5):start])
    if joined is None or b.not_action_verbs.search(joined.group("verb")):
        return start
    return start - len(joined.group(0))


def _manner_adverb(b: PhraseBounds, view: str, start: int, end: int, link: LinkPatterns) -> int:
    """The manner adverb right before a phrase that opens with its verb names the row (当场答复, 按期答复)."""
    if link.verbs.match(view, start, end) is None:
        return start
    m = b.manner_adverbs.search(view, max(0, start - 2), start)
    return start if m is None else m.start()


@lru_cache(maxsize=4)
def _ending_with(pattern: str) -> re.Pattern[str]:
    """``pattern`` at the end of the text searched, compiled once (re.search with the pattern built per figure
    hashed the whole pattern text on every call to find it in re's cache)."""
    return re.compile(f"(?:{pattern})$")


def _unquoted(b: PhraseBounds, view: str, start: int, end: int) -> tuple[int, int]:
    """Quotation marks around the whole phrase are outside (“同意公开”的205件, guidelines 1)."""
    opening, closing = b.quotes
    inner = view[start + 1:end - 1]
    if (view.startswith(opening, start) and view.endswith(closing, 0, end) and end - start - 2 >= b.min_chars
            and opening not in inner and closing not in inner):
        return start + 1, end - 1
    return start, end


def _trailing(b: PhraseBounds, view: str, start: int, end: int) -> int:
    m = b.trailing.search(view, start, end)
    return m.start() if m and m.start() - start >= b.min_chars else end


def skip_words(view: str, pos: int, end: int, *patterns: re.Pattern[str]) -> int:
    """The position after the words at ``pos`` that any of ``patterns`` matches, repeatedly (prefix words and
    scope words alternate: 2016年,全市各级行政机关共...)."""
    while True:
        before = pos
        for pattern in patterns:
            m = pattern.match(view, pos, end)
            if m and m.end() > pos:
                pos = m.end()
        if pos == before:
            return pos


def predicate_after(view: str, noun_start: int, noun_end: int, clause_end: int, link: LinkPatterns
                    ) -> tuple[int, int] | None:
    """The predicate after a counted noun that only names the units counted (27个乡镇全部纳入…建设 → 纳入…建设,
    45家市直单位开展专栏建设 → 专栏建设; guidelines 4), else None: the bare noun stays when no predicate follows."""
    b = load_bounds()
    units = b.predicate_unit_nouns.match(view, noun_start, noun_end)
    if units and units.end() < noun_end and b.predicate_unit_verbs.match(view, units.end(), noun_end):
        noun_end = units.end()  # 28个行政村设立了…: the noun read on into the verb after the units
    noun = view[noun_start:noun_end]
    after = after_noun_bracket(view, noun_end)  # 37个乡镇（街道）全部纳入…
    if not (b.predicate_unit_nouns.fullmatch(noun) or link.scope_any.fullmatch(noun)
            or b.predicate_subject_verbs.match(view[after:clause_end])):
        return None
    if b.predicate_not_after_noun.match(view[after:after + 1]):
        return None  # 38个部门的主动公开的政府信息, 一名街道或市直部门的负责人: the noun is no subject
    return _predicate_from(view, skip_words(view, after, clause_end, b.predicate_prefix), clause_end)


def figure_predicate(view: str, clause_start: int, fig_start: int, fig_end: int, clause_end: int,
                     link: LinkPatterns) -> tuple[int, int] | None:
    """The predicate after a figure that is its clause's subject (其中45件为网上申请, 其余47件均告知申请人通过其他途径
    办理 → 网上申请, 告知…办理; guidelines 4, as 24件全部按时办结), else None. Not a part of the body (其中12件为市本级)."""
    b = load_bounds()
    if not b.figure_subject_before.fullmatch(view[clause_start:fig_start]):
        return None
    m = b.figure_copula.match(view, fig_end, clause_end)
    if b.figure_passive.match(view, m.end() if m else fig_end, clause_end):
        start = m.end() if m else fig_end  # 其中274篇被省级媒体采用: the passive is inside (GUIDELINES 4, 被依法纠错)
    elif m is None or m.end() == fig_end:
        return None
    else:
        start = m.end()
    found = _predicate_from(view, start, clause_end)
    if found is None:
        return None
    words = view[found[0]:found[1]]
    if b.predicate_unit_nouns.fullmatch(words) or link.scope_any.fullmatch(words):
        return None
    return found


def _predicate_from(view: str, start: int, clause_end: int) -> tuple[int, int] | None:
    """The predicate from ``start`` to its clause's end, or None when a figure or a quotation comes first."""
    b = load_bounds()
    end = start
    while end < clause_end and b.phrase_char.fullmatch(view, end, end + 1):
        end += 1
    if end < clause_end and not b.predicate_clause_end.match(view[end:end + 1]):
        return None  # a figure or a quotation follows: no predicate of this figure alone
    appositive = b.predicate_appositive.search(view, start, end)
    end = appositive.start() if appositive else end  # …平台建设这一契机: the demonstrative takes the predicate up
    if not b.min_chars <= end - start <= b.predicate_max_chars:
        return None
    return start, end


def after_noun_bracket(view: str, noun_end: int) -> int:
    """The end of a bracketed variant right after a counted noun (乡镇（街道）, 村（社区）), else ``noun_end``."""
    m = load_bounds().noun_bracket.match(view, noun_end)
    return m.end() if m else noun_end


def noun_coordination(view: str, noun_end: int, clause_end: int, link: LinkPatterns) -> int:
    """The end of the coordination a counted noun after its figure opens (1768名行政执法人员和行政执法监督人员,
    59项行政审批和办事服务项目): the next item, up to the noun's own stop words, else ``noun_end``."""
    b = load_bounds()
    m = b.right_item.match(view, noun_end, clause_end)
    if m is None:
        return noun_end
    joiner = re.match(load_config(CONFIG)["coordination"]["right_joiners"], view[noun_end:m.end()])
    item_start = noun_end + (joiner.end() if joiner else 1)
    if b.partial_item.match(view, item_start):
        return noun_end  # 12家新闻媒体及部分企业代表: the figure does not count the item
    stop = link.noun_stop.search(view, item_start, m.end())
    end = stop.start() if stop else m.end()
    tail = link.noun_end.search(view, item_start, end) if hasattr(link, "noun_end") else None
    end = tail.start() if tail else end
    return end if end - item_start >= b.min_chars and end - noun_end <= b.max_chars else noun_end
