"""Chinese. Words are not separated by spaces: word lists are matched as substrings, longest first."""

from rag.language import HAN_SCRIPT, SEGMENTER, LanguagePack

_NUMBER = "[一二三四五六七八九十百千万两亿]+"

PACK = LanguagePack(
    code="zh", name="Chinese", script=HAN_SCRIPT, spaced=False,
    glosser="chinese",
    numeral_digits="零〇 一 二两 三 四 五 六 七 八 九",
    numeral_units="十百千",
    numeral_groups="万亿",  # 万 ten thousand, 亿 a hundred million
    stop_words="的 了 是 在 和 也 都 就 把 被 与 及 吗 呢 什么 多少 谁 哪 怎么 为什么 多久 多长 多长时间 几 哪里 哪儿 哪个 哪些 哪家 哪位 如何 何时 什么时候 为何 叫 名字 名称",
    pronouns="他 她 它 他们 她们 它们 这 那 这个 那个 这些 那些 其 该",
    bound_pronouns="他们 她们 它们 这个 那个 这些 那些 他 她 它 其 该",
    person_opening=r"[他她](?!们)",
    negations="没有 从未 从不 并非 不是 不会 不能 无法 未曾 尚未",
    yes_no="是 是的 对 对的 不 不是 没错 当然 确实 肯定",
    no_topic_words="发生 出现 进行 怎么样 怎样 年 月 日 号",
    two_parts=r"以及|分别|比较|对比",
    instructions=r"忽略.{0,20}(?:指令|指示|问题)|只回答|只回复",
    question_cues={
        "list": r"哪两|哪三|哪几|哪些人|有谁|列举",
        "duration": r"多久|多长时间|(?<![这那前后])几年|多少年|(?<![这那前后])几个月|多少个月",
        "date": r"什么时候|何时|哪一?年|哪一?天|哪一?个?月|几月|几点|什么时间",
        "percent": r"百分之几|百分比|多少百分",
        # 几 asks "how many", but 这几/那几/前几 are "these few", 几乎 "almost"
        "number": r"多少|(?<![这那前后])几(?!乎)",
        "organisation": r"哪家|哪个公司|什么公司|哪个机构|哪家媒体",
        "place": r"哪里|在哪|哪个城市|哪个国家",
        "person": r"谁|哪一?位",
    },
    asking_words=r"哪一?[个家座条所支名]?|什么",  # which (with its noun's measure word: 哪个城市), what
    number_words=_NUMBER,
    not_counts="一",
    fraction=r"[一二三四五六七八九十]+分之[一二三四五六七八九十]+|一半",
    percent_forms=r"百分之[\d一二三四五六七八九十]+",
    hedges=r"超过|近",
    duration_forms=rf"(?:{_NUMBER}|(?<!\d)\d{{1,2}}(?!\d))\s*(?:年|个月|月|周|天|小时)多?",
    date_words=r"\d+年\d*月?\d*日?|\d+月\d+日|星期.|周[一二三四五六日]|昨天|今天|上周",
    name_finder=SEGMENTER,  # jieba tags persons, places and organisations
    gloss="CC-CEDICT (shipped with the package)",
)
