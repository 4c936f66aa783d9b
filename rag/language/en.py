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
               "your our my me not no so if but all any some such only very just being",
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
        "organisation": r"\bwhich (?:company|companies|firm|organi[sz]ation|outlet|news outlet|publication|lab"
                        r"|agency|site|website)\b|\bwhat (?:company|firm|organi[sz]ation|outlet|news outlet"
                        r"|publication|agency|site|website)\b",
        "place": r"(?:^\W*|, )where\b|\b(?:in|to|from) (?:which|what) (?:city|country|place|state|region|town"
                 r"|village|continent|part of)\b",
        "person": r"(?:^\W*|\band |, )(?:who|whom|whose)\b|\bby whom\b|\b(?:which|what) (?:\w+ )?(?:person|people"
                  r"|man|woman|men|women|executive|researcher|manager|director|player|artist|author|writer|leader"
                  r"|president|king|queen|emperor|ruler|mayor|governor|minister|founder|inventor|owner|scientist"
                  r"|politician|poet|actor|actress|singer|composer|painter|carpenter|engineer|doctor)\b"
                  r"|\bname of the (?:person|man|woman|leader|king|queen|author|artist|president|mayor)\b",
    },
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
)
