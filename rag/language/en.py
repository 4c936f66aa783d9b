"""English."""

from rag.language import LATIN, LanguagePack

PACK = LanguagePack(
    code="en", name="English", script=LATIN,
    stemmer="english",
    negation_endings="n't",
    function_words="the a an of to on and or is are was were be been by with from as that this it its what who whom "
                   "which when where why how did do does has have had many much about after before their his her they",
    stop_words="a an the of to in on at for and or is are was were be been by with from as that this it its what who "
               "whom which when where why how did do does has have had many much about his her their would will "
               "could should can may might must shall also into than then there these those they them he she we you "
               "your our my me not no so if but all any some such only very just being several various few "
               "each every both either neither another",
    pronouns="it its he him his she her they them their that this those these there",
    person_opening=r"(?:he|she)\b",
    negations="not no never none nobody nothing neither nor without cannot n't",
    yes_no="yes no yeah nope absolutely certainly definitely indeed sure surely correct right true false of course",
    no_topic_words="happen happened happens occur occurred go went going do did done get got make made take took "
                   "come came year years month months day days",
    months="january february march april may june july august september october november december",
    units="one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen",
    ordinals="first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth",
    tens="twenty thirty forty fifty sixty seventy eighty ninety",
    two_parts=r"\band\s+(?:(?:on|in|for|at) )?(?:who|what|which|when|where|how)\b|\bcompare\b",
    instructions=r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|question|prompt|rules)\b"
                 r"|\b(?:reply|respond)\b.{0,20}\b(?:only|just)\b.{0,20}\bwith\b|\banswer only with\b"
                 r"|\bsystem prompt\b|</?passages>|(?:^|\n)\s*(?:question|answer|short answer)\s*:",
    question_cues={
        "list": r"\bwhich (?:two|three|four|people|persons|researchers|executives|companies)\b"
                r"|\bname (?:one|two|three)\b|\bwhat (?:two|three)\b",
        "duration": r"\bhow long\b|\bfor how many (?:years|months|weeks|days)\b|\bhow many (?:years|months|weeks|days)\b",
        "date": r"(?:^\W*|\band |\bsince |, )when\b|\bwhat (?:date|day|year|month|time)\b"
                r"|\bwhich (?:day|date|year|month)\b|\bby what time\b",
        "percent": r"\b(?:what|which) (?:percentage|share|proportion)\b|\bhow many (?:percent|per cent)\b"
                   r"|\bby what percent",
        "number": r"\bhow (?:many|much|far|old|big)\b|\bwhat (?:number|amount)\b|\bby how much\b",
        "place": r"(?:^\W*|, )where\b|\b(?:in|to|from) (?:which|what) part of\b",
        "person": r"(?:^\W*|\band |, )(?:who|whom|whose)\b|\bby whom\b",
    },
    # not before do/does/did: in "what did the carpenter say" the noun is the subject, not the answer
    asking_words=r"\b(?:which|what)\b(?!\s+(?:do|does|did)\b)",
    type_nouns={
        "organisation": "company firm organisation organization outlet publication lab laboratory agency "
                        "site website university college institute institution bank channel network club "
                        "party team",
        "place": "city country place state region province county district town village continent island "
                 "river lake sea ocean mountain neighborhood neighbourhood street colony port",
        "person": "person people man woman women executive researcher scientist manager director chief "
                  "player artist author writer poet journalist reporter editor leader president king queen "
                  "emperor ruler mayor governor minister founder inventor owner politician actor actress "
                  "singer composer painter carpenter engineer doctor teacher professor student lawyer judge "
                  "officer commander captain coach philosopher",
    },
    sort_nouns="type kind sort form",
    name_nouns="name",
    head_words=3,  # which Meta research scientist
    number_words=r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty"
                 r"|hundred|dozens?|hundreds?|thousands?|millions?|billions?|half|percent)\b",
    fraction=r"\b(?:(?:a|one|two|three) (?:thirds?|quarters?)|half)\b(?!-)",
    percent_words=r"percent|per cent",
    hedges=r"more than|over|almost|nearly|about",
    duration_units=r"years?|months?|weeks?|days?|hours?|decades?",
    articles="a an",
    date_words=r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december"
               r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today"
               r"|last (?:week|month|year))\b(?:\s+\d{1,2}(?:st|nd|rd|th)?)?",
    year_cues="in since until year around circa during",
)
