"""Concepts about who writes and their status: children, refugees, asylum, Ukrainians, students."""

PEOPLE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "child": (
        # nl
        "nl:kind", "de:kind", "kinderen", "kindje", "kindjes", "zoon", "zoontje", "zonen", "dochter*", "baby*",
        "pasgeboren*", "boreling", "minderjarig*", "kleuter",
        # en
        "child", "children", "child's", "childs", "kid", "kids", "daughter*", "newborn*", "new-born",
        "infant*", "toddler", "en:son", "en:sons", "son's", "stepson", "stepdaughter",
        # fr
        "enfant*", "fils", "fille", "fillette", "bebe", "nouveau ne", "nouveau-ne", "nourrisson",
        # es, pt
        "hijo", "hija", "hijos", "hijas", "nino", "nina", "ninos", "ninas", "recien nacid*",
        "filho*", "filha*", "crianca*",
        # pl
        "dziecko", "dziecka", "dzieci*", "dziecku", "syn", "syna", "synem", "synowi", "corka", "corki",
        "corke", "corka", "niemowl*", "noworod*",
        # ru
        "ребен*", "ребенок", "дети", "детей", "детям", "сын", "сына", "сыну", "сыном", "дочь", "дочери",
        "дочка", "дочку", "младен*", "новорожден*", "малыш*",
        # uk
        "дитин*", "діти", "дітей", "дітям", "син", "сина", "сину", "сином", "донька", "доньки", "доньку",
        "донечк*", "немовл*", "новонароджен*",
        # ar, fa
        "ابن*", "طفل*", "اطفال*", "مولود*", "بنتي", "بنت", "پسر*", "دختر*", "فرزند*", "كودك*",
        "بچه*",
        # tr, ro, de
        "cocug*", "cocuk*", "oglum", "oglu*", "ogl*", "kizim*", "kizi", "kizimin", "bebek*", "copil*",
        "fiul", "fiului", "fiica", "fiicei", "bebelus*", "sohn", "tochter",
    ),
    "kids_id": ("kids-id", "kids id", "kidsid", "kids-id-kaart", "kids-id kaart"),
    "birth": (
        "geboren", "geboorte", "geboorteaangifte", "geboorteakte*", "born", "birth", "naissance", "est nee",
        "est ne", "nacimiento", "nacid*", "nacio", "nascimento", "nasceu", "urodzi*", "родил*", "народил*",
        "ميلاد", "مولود*", "ولاده", "dogdu", "dogum", "nascut*", "تولد", "pasgeboren*", "newborn*",
        "nouveau-ne", "nouveau ne", "recien nacid*", "noworod*", "новорожден*", "новонароджен*", "yeni dogan*",
    ),
    "refugee": (
        "vluchteling*", "refugee*", "refugie*", "refugiad*", "uchodzc*", "uchodzcz*", "беженец", "беженк*",
        "беженц*", "біженець", "біженк*", "біженц*", "لاجي*", "multeci*", "refugiat*", "پناهنده*",
        "vluchtelingenstatus*", "refugee status", "statut de refugie",
    ),
    "asylum": (
        "asiel*", "asielzoeker*", "asylum", "asile", "asilo", "azyl*", "убежищ*", "притул*", "لجوء", "iltica",
        "siginma*", "azil", "پناهجو*", "verzoeker* internationale bescherming", "verzoek om internationale bescherming",
        "internationale bescherming", "international protection", "protection internationale",
        "proteccion internacional", "protecao internacional", "ochron* miedzynarodow*", "международн* защит*",
        "міжнародн* захист*", "حمايه الدوليه", "حمايه دوليه", "uluslararasi koruma", "protectie internationala",
        "fedasil", "opvangcentrum", "opvang", "reception centre", "reception center", "centre d'accueil",
        "croix-rouge", "rode kruis", "red cross", "demandeur d'asile", "demandeur de protection",
        "asylum seeker*", "applicant for international protection", "طالب لجوء",
    ),
    "subsidiary": (
        "subsidiaire bescherming", "subsidiary protection", "protection subsidiaire", "proteccion subsidiaria",
        "protecao subsidiaria", "ochron* uzupelniajac*", "дополнительн* защит*", "субсидиарн* защит*",
        "додатков* захист*", "субсидіарн* захист*", "حمايه الفرعيه", "حمايه فرعيه", "حمايه ثانويه",
        "ikincil koruma", "protectie subsidiara", "حمايت تكميلي", "subsidiair*", "subsidiaire",
    ),
    "recognised": (
        "erkend*", "erkenning*", "recognis*", "recogniz*", "reconnu*", "reconnaissance", "reconocid*",
        "reconocimiento", "reconhecid*", "uznan*", "признан*", "признали", "визнан*", "статус беженца",
        "статус біженця", "معترف", "اعتراف", "tanin*", "multeci statu*", "recunoscut*",
        "positieve beslissing", "positive decision", "decision positive", "decision favorable",
        "decision positiva", "decisao positiva", "pozytywn* decyzj*", "положительн* решени*",
        "позитивн* рішенн*", "قرار ايجابي", "olumlu karar", "granted", "toegekend", "accorde*",
        "obtenu le statut", "kreeg het statuut", "received refugee status", "got refugee status",
        "statuut van vluchteling", "vluchtelingenstatuut", "vluchtelingenstatus", "refugee status", "statut de refugie",
        "estatuto de refugiado", "status uchodzcy", "статус беженца", "статус біженця", "multeci statusu",
        "حق اللجوء", "صفه لاجي",
        "شناخته شدم", "شناخته شده", "قبول شد", "پذيرفته شد", "تاييد شد",
    ),
    "cgrs": (
        "cgvs", "cgrs", "cgra", "c.g.v.s", "commissariaat-generaal*", "commissariaat generaal",
        "commissioner general*", "commissioner-general*", "commissariat general", "commissariat-general",
        "مفوضيه عامه", "مفوضيه", "генеральн* комиссариат*", "генеральн* комісаріат*", "кгбл",
    ),
    "ukraine": (
        "oekrain*", "oekrai*", "ukrain*", "ucrania*", "ucranian*", "ucran*", "украин*", "україн*", "اوكران*", "ukrayna*",
        "ucrain*", "اوكراين*", "kharkiv", "kyiv", "kiev", "odesa", "odessa", "харк*", "киев*", "київ*",
        "одес*", "дніпр*", "львов*", "львів*",
    ),
    "temp_protection": (
        "tijdelijke bescherming", "temporary protection", "protection temporaire", "proteccion temporal",
        "protecao temporaria", "ochron* tymczasow*", "временн* защит*", "тимчасов* захист*",
        "тимчасового захисту", "حمايه موقته", "حمايه المؤقته", "gecici koruma", "protectie temporara",
        "حمايت موقت", "vorubergehend* schutz", "tijdelijk beschermd*", "temporarily protected",
    ),
    "comparison": (
        "zoals bij", "zoals voor", "zoals met", "net als bij", "net zoals", "as with", "as for", "just like",
        "same as", "similar to", "comme pour", "comme avec", "comme dans le cas", "como con", "como para",
        "como en el caso", "jak w przypadku", "jak przy", "как и с", "как с", "как для", "як і з", "як для",
        "مثل", "gibi", "ca si pentru", "como no caso",
    ),
    "student": (
        "student*", "etudiant*", "estudiante*", "студент*", "ogrenci*", "erasmus", "universiteit",
        "university", "universite", "universidad", "universidade", "uniwersytet*", "hogeschool",
        "doctoraat", "phd", "master's", "masterstudent*", "studies", "studie",
    ),
    "student_self": (
        "ik ben student*", "als student", "i am a student", "i'm a student", "i am studying", "je suis etudiant*",
        "en tant qu'etudiant*", "soy estudiante", "estudio en", "jestem student*", "я студент*",
        "ogrenciyim", "sunt student*", "sou estudante",
    ),
    "eu_citizen": (
        "eu-burger*", "unieburger*", "eu citizen*", "eu national*", "european citizen*", "citoyen* europeen*",
        "citoyen* de l'ue", "ressortissant* europeen*", "ciudadan* europe*", "ciudadan* de la ue",
        "obywatel* ue", "obywatel* unii", "obywatelem polski", "гражданин ес", "гражданка ес",
        "громадян* єс", "مواطن اوروبي", "ab vatandasi*", "cetatean* ue", "cetatean european",
    ),
    # Nationalities of the other EU countries (EU+ for the citizen, F+ for the family member).
    "eu_nationality": (
        "nederlander*", "nederlandse", "fransman", "franse", "francaise", "duitser*", "duitse", "italiaan*",
        "spanjaard*", "spaanse", "portugees", "portugese", "poolse", "roemeen*", "bulgaar*", "griek*",
        "hongaar*", "tsjech*", "slowaak*", "sloveen*", "kroaat*", "kroatische", "oostenrijk*", "zweed*", "zweedse",
        "deense", "finse", "ierse", "luxemburg*", "litouw*", "letse", "estse", "maltees", "maltese", "cyprio*",
        "dutch", "french", "german", "italian", "spanish", "portuguese", "polish", "romanian", "bulgarian",
        "greek", "hungarian", "czech", "slovak", "slovenian", "croatian", "austrian", "swedish", "danish",
        "finnish", "irish", "lithuanian", "latvian", "estonian", "cypriot",
        "neerlandais*", "francais", "allemand*", "italien*", "espagnol*", "portugais*", "polonais*", "roumain*",
        "bulgare*", "grec", "grecque*", "hongrois*", "tcheque*", "slovaque*", "croate*", "autrichien*",
        "suedois*", "danois*", "finlandais*", "irlandais*", "lituanien*", "letton*", "estonien*",
        "espanol*", "italian*", "aleman*", "frances*", "portugues*", "polac*", "rumano*",
        "polka", "polakiem", "polski", "obywatel* polski", "wloch*", "niemiec*",
        "italyan", "alman", "fransiz", "ispanyol", "hollandali", "romen",
        "cetatean roman", "cetateana romana",
    ),
    "spouse": (
        "echtgeno*", "mijn man", "mijn vrouw", "partner", "husband", "wife", "spouse", "epoux", "epouse",
        "mon mari", "ma femme", "esposo", "esposa", "marido", "mezem", "zona", "муж*",
        "жена", "жены", "чоловік*", "дружин*", "زوج*", "esim", "sotul", "sotia", "همسر*",
    ),
}
