"""Danish."""

from rag.language import LATIN, LanguagePack

PACK = LanguagePack(
    code="da", name="Danish", script=LATIN,
    glosser="danish", dictionary_packages="dict-freedict-dan-eng dict-freedict-eng-dan", stemmer="danish",
    function_words="og på er et den det de der som til af med har var ikke fra han hun hvad hvem hvor hvordan "
                   "hvilke hvilken hvilket hvornår mange om efter før deres hans hendes sin sit sine blev være været",
    letters="æøåÆØÅ",
    look_alikes="no sv",
    stop_words="og i på at er en et den det de der som til af for med har var ikke fra han hun hvad hvem hvor "
               "hvordan hvilke hvilken hvilket hvornår længe mange om hed hedder vil kan skal blev være været havde "
               "haft sig sin sit sine hans hendes deres også men eller når hvis så",
    pronouns="den det de dem han hun ham hende hans hendes deres denne dette disse der",
    person_opening=r"(?:han|hun)\b",
    negations="ikke aldrig ingen intet ingenting hverken uden",
    yes_no="ja nej jo absolut bestemt helt sikkert sandt korrekt rigtigt forkert",
    no_topic_words="ske skete sker hænde hændte gøre gjorde gå gik komme kom år måned måneder dag dage",
    months="januar februar marts april maj juni juli august september oktober november december",
    units="en to tre fire fem seks syv otte ni ti elleve tolv tretten fjorten femten seksten sytten atten nitten",
    tens="tyve tredive fyrre halvtreds tres halvfjerds firs halvfems",
    two_parts=r"\bog\s+(?:(?:i|på|til|fra) )?(?:hvem|hvad|hvilke|hvilken|hvilket|hvor|hvornår)\b|\bsammenlign",
    instructions=r"\bignorer\b.{0,40}\b(?:instruktion|spørgsmål)|\bsvar kun\b",
    question_cues={
        "list": r"\bhvilke (?:to|tre|personer|folk|virksomheder)\b|\bnævn (?:en|to|tre)\b",
        "duration": r"\bhvor længe\b|\bhvor mange (?:år|måneder|uger|dage)\b",
        "date": r"\bhvornår\b|\bhvilken (?:dag|dato|måned)\b|\bhvilket år\b|\bhvad tid\b",
        "percent": r"\bhvor mange procent\b|\bhvilken andel\b|\bhvor stor (?:en )?andel\b",
        "number": r"\bhvor (?:mange|meget|stor)\b|\bhvor meget\b",
        "organisation": r"\bhvilken (?:virksomhed|organisation)\b|\bhvilket (?:firma|medie|selskab)\b",
        "place": r"^\W*hvor\b(?! (?:mange|meget|længe|stor))|\bhvilket land\b",
        "person": r"(?:^\W*|\bog )hvem\b",
    },
    asking_words=r"\bhvilke[nt]?\b",
    head_words=3,  # hvilken tidligere direktør: modifiers before the noun
    number_words=r"\b(?:en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|tolv|hundrede|tusind|millioner|procent)\b",
    fraction=r"\b(?:en )?(?:tredjedel|tredjedele|halvdel|halvdelen|fjerdedel|kvart)\b",
    percent_words=r"procent",
    hedges=r"mere end|over|næsten|omkring",
    duration_units=r"år|årti|måneder|måned|uger|uge|dage|dag|timer",
    articles="en et",
    date_words=r"\b(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
               r"|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|i går|i dag|sidste uge)\b(?:\s+\d{1,2})?"
               r"|\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)[a-z]*\.?\s+\d{4}",
    year_cues="i siden år omkring",
    linking_letters="s e",
    verb_particles="ud op af til om ind med over under frem sam gen",
    derivations="ning ing ere hed",
    bound_endings="hed dom skab ning else ere ing ist isk lig lige",
    cognate_spellings="ks>x k>c isk>ic itet>ity ør>or",
    function_glosses="og=and i=in på=on at=that er=is en=a et=a den=the det=it de=they der=who som=who "
                     "til=to af=of for=for med=with har=has var=was ikke=not fra=from han=he hun=she "
                     "om=about end=than eller=or jeg=I du=you vi=we hvis=if denne=this dette=this "
                     "disse=these sin=his sit=his sine=his havde=had blev=was bliver=becomes kan=can "
                     "vil=will skal=shall",
    gloss="FreeDict Danish-English (dict-freedict-dan-eng)",
)
