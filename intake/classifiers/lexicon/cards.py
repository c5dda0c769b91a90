"""Concepts about the residence card itself: the card, its kinds, expiry, loss, chip, collection."""

CARD_CONCEPTS: dict[str, tuple[str, ...]] = {
    "card": (
        "kaart*", "*kaart", "*kaarten", "*kaartje", "card", "cards", "carte", "cartes", "tarjet*",
        "cartao", "cartoes", "cardul", "kart*", "karte*", "карт*", "بطاق*", "كارت*",
        "identiteitskaart*", "id-kaart", "eid", "e-id", "badge",
    ),
    "residence_doc": (
        # nl
        "verblijfskaart*", "verblijfkaart*", "verblijfsdocument*", "verblijfsvergunning*", "verblijfstitel*",
        "verblijfsbewijs*", "vreemdelingenkaart*", "verblijfsrecht*", "verblijf kaart",
        # en
        "residence card*", "residence permit*", "residence document*", "resident card*", "residency card*",
        "residence title", "residency permit*", "permit card", "id card", "identity card",
        # fr
        "carte de sejour", "cartes de sejour", "titre de sejour", "titres de sejour", "permis de sejour",
        "carte de resident*", "carte d'identite", "carte d identite", "carte sejour", "document de sejour",
        "documents de sejour", "titre de residence", "permis de residence", "droit de sejour",
        # es, pt, it
        "tarjeta de residencia", "tarjeta de residente", "permiso de residencia", "titulo de residencia",
        "documento de residencia", "tarjeta de extranjero",
        "cartao de residencia", "autorizacao de residencia", "titulo de residencia", "permesso di soggiorno",
        "carta di soggiorno",
        # pl
        "karta pobytu", "karty pobytu", "karte pobytu", "karta pobytowa", "karte pobytowa", "karty pobytowej",
        "karta rezydenta", "dokument pobytowy", "zezwolenie na pobyt",
        # ru, uk
        "вид на жительство", "вида на жительство", "виду на жительство", "карта резидента", "карту резидента",
        "посвідк*", "посвидк*", "карта побиту", "карту на проживання", "картка на проживання",
        # ar, fa
        "بطاقه اقامه", "بطاقه الاقامه", "اقامه", "اقامتي", "اقامته", "بطاقه اقامتي", "كارت اقامت", "اقامت",
        # tr
        "oturum kart*", "oturma kart*", "oturma izn*", "oturum izn*", "ikamet kart*", "ikamet izn*",
        # ro, de
        "permis de sedere", "permisul de sedere", "carte de rezidenta", "card de rezidenta",
        "aufenthaltstitel*", "aufenthaltskarte*", "aufenthaltserlaubnis*",
    ),
    "permanent": (
        "duurzaam verblijf*", "duurzaam verblijfsrecht", "permanent verblijf*", "permanente verblijf*",
        "permanent residen*", "permanent stay", "permanent right of residence",
        "sejour permanent", "droit de sejour permanent", "residence permanente",
        "residencia permanente", "residencia de larga duracion", "residencia permanente",
        "stalego pobytu", "staly pobyt", "prawo stalego pobytu",
        "постоянн* проживани*", "постоянн* вид*", "постійн* проживанн*", "постійн* посвідк*",
        "اقامه دائمه", "الاقامه الدائمه", "دائمه", "suresiz oturum", "kalici oturum",
        "sedere permanenta", "drept de sedere permanenta", "اقامت دائم", "daueraufenthalt*",
    ),
    "longterm": (
        "langdurig ingezetene*", "langdurig ingezeten*", "langdurige ingezetene*", "ingezetene*",
        "long-term resident*", "long term resident*", "longterm resident*", "long-term residence",
        "resident de longue duree", "residents de longue duree", "resident longue duree",
        "residente de larga duracion", "residente de longa duracao", "rezydent* dlugoterminow*",
        "долгосрочн* резидент*", "довгостроков* резидент*", "довгострок* проживан*",
        "مقيم لمده طويله", "طويله الامد", "uzun sureli ikamet*", "uzun donemli ikamet*",
        "rezident pe termen lung", "langfristig aufenthaltsberechtigt*",
    ),
    "unlimited": (
        "onbeperkt verblijf*", "onbeperkte verblijf*", "vestiging", "unlimited stay", "unlimited residence",
        "indefinite leave", "settlement", "sejour illimite", "etablissement", "estancia ilimitada",
        "residencia ilimitada", "pobyt staly", "бессрочн*", "безстроков*", "suresiz",
        "sedere pe termen nelimitat", "اقامه غير محدوده",
    ),
    "expire": (
        # nl
        "vervalt", "vervallen", "vervaldatum", "verval*", "verloopt", "verlopen", "verloop*", "verliep",
        "niet meer geldig", "niet langer geldig", "ongeldig*", "verstreken", "vervallen is",
        # en
        "expire*", "expiry", "expiration", "expiring", "runs out", "run out", "ran out", "running out",
        "no longer valid", "not valid anymore", "out of date", "lapsed", "lapses",
        # fr
        "expir*", "echeance", "echu*", "perime*", "n'est plus valable", "plus valable", "plus valide",
        "fin de validite", "valable jusqu'au",
        # es, pt
        "caduc*", "vence", "vencid*", "vencimiento", "vencio", "vencera", "venceu", "ya no es valida",
        # pl
        "wygas*", "traci waznosc", "straci waznosc", "utraci waznosc", "stracila waznosc",
        "stracil waznosc", "traci wazno*", "przeterminowan*", "nieważn*", "niewazn*",
        # ru
        "истека*", "истек*", "заканчива*", "закончил*", "закончит*", "просрочен*", "срок действия",
        # uk
        "закінчу*", "закінчив*", "закінчил*", "закінчит*", "сплива*", "сплив*", "прострочен*",
        "термін дії",
        # ar, fa
        "تنتهي*", "ستنتهي", "انتهت", "انتهاء", "انتهي*", "منتهي*", "منتهيه", "منقضي*",
        # tr
        "suresi dol*", "suresi bit*", "suresi doldu", "suresi doluyor", "sona er*", "bitiyor",
        # ro, de
        "expirat*", "expira", "abgelaufen", "lauft ab", "ablauf*", "ungultig*",
    ),
    "renew": (
        "vernieuw*", "hernieuw*", "verleng*", "opnieuw aanvragen",
        "renew*", "extend*", "extension*", "prolong*",
        "renouvel*", "prolong*",
        "renov*", "prorrog*",
        "przedluz*", "odnowi*", "odnowien*",
        "продл*", "продлен*", "продовж*", "поновл*", "подовж*",
        "تجديد*", "تمديد*", "جدد*",
        "yenile*", "uzat*",
        "reinnoi*", "prelung*",
        "verlanger*", "erneuer*",
    ),
    "newcard": (
        "nieuwe kaart", "nieuwe verblijfskaart", "nieuw kaart", "nieuwe identiteitskaart", "duplicaat",
        "new card", "new residence card", "a new one", "replacement card", "new id",
        "nouvelle carte", "une nouvelle", "nouvelle carte de sejour", "duplicata",
        "nueva tarjeta", "tarjeta nueva", "novo cartao", "now* kart*", "нов* карт*",
        "بطاقه جديده", "yeni kart*", "card nou", "كارت جديد", "neue karte", "duplicate",
    ),
    "lost": (
        "verloren", "verlies*", "kwijt*", "verloor", "vermist",
        "lost", "lose", "losing", "misplaced",
        "perdu*", "perte", "egare*",
        "perdi", "perdido", "perdida", "extravi*",
        "zgubi*", "zgubion*", "utrat*", "zagubi*",
        "потер*", "утер*", "утрат*", "пропал*",
        "втрат*", "загуби*", "згуби*", "загубл*",
        "ضاع*", "فقدت", "فقدان", "اضعت", "مفقود*", "فقد*",
        "kaybet*", "kaybol*", "kayip",
        "pierdut*", "pierdu*",
        "گم", "verlust*",
    ),
    "stolen": (
        "gestolen", "diefstal*", "beroofd", "zakkenroller*", "overval*", "gejat",
        "stolen", "stole", "theft", "robbed", "robbery", "pickpocket*", "mugged",
        "vole", "volee", "voles", "volees", "vol de", "vol a la tire", "cambriol*", "derobe*",
        "robad*", "robo", "robaron", "hurt*",
        "roubad*", "roubo", "roubaram", "furtad*", "furto",
        "skradzion*", "kradziez*", "ukradzion*", "ukrad*", "okradzion*",
        "украл*", "украден*", "кража", "кражи", "краж*", "похитил*", "своровал*",
        "вкрал*", "вкраден*", "крадіжк*", "поцупил*", "викрал*",
        "سرق*", "مسروق*",
        "calindi", "calinmis", "calin*", "hirsiz*",
        "furat*", "furt",
        "دزديده", "دزد*", "سرقت",
        "gestohlen", "diebstahl*",
    ),
    "police": (
        "politie*", "police", "policia", "policj*", "polis", "polise", "polisten", "karakol*", "полици*",
        "поліці*", "شرطه", "پليس", "politi*", "aangifte", "proces-verbaal", "proces verbaal",
        "declaration de perte", "declaration de vol", "denuncia", "zgloszeni*", "comisaria",
        "comissariado", "commissariat",
    ),
    "wallet": (
        "portefeuille", "portemonnee", "handtas", "tas", "wallet", "purse", "handbag", "bag", "sac",
        "sac a main", "cartera", "bolso", "portfel*", "torb*", "кошел*", "гаманец*", "сумк*", "محفظ*",
        "حقيب*", "cuzdan*", "canta*", "portofel*", "carteira",
    ),
    "chip": ("chip*", "puce", "czip*", "чип*", "cip*", "شريح*", "تراشه", "microchip*"),
    "reader": (
        "kaartlezer*", "cardreader*", "card reader*", "lezer", "reader", "readers", "lecteur*", "lector*",
        "czytnik*", "считыват*", "зчитувач*", "قاري*", "okuyucu*", "cititor*", "leitor*", "eid-software",
        "eid software", "eid viewer", "itsme", "kartenleser*",
    ),
    "broken": (
        "werkt niet", "werkt niet meer", "doet het niet", "niet herkend", "niet meer herkend", "herkent",
        "defect*", "kapot*", "stuk", "beschadig*", "gebroken", "gebarsten", "foutmelding*",
        "broken", "damaged", "defective", "faulty", "not working", "doesn't work", "does not work",
        "stopped working", "not recognised", "not recognized", "no card inserted", "cannot be read",
        "can't be read", "not being read", "unreadable", "malfunction*",
        "ne fonctionne plus", "ne fonctionne pas", "ne marche plus", "ne marche pas", "pas reconnue",
        "n'est pas reconnue", "n'est plus reconnue", "illisible", "endommage*", "abime*", "casse*",
        "defectueu*", "ne lit pas",
        "no funciona", "no lee", "danad*", "estropead*", "rota", "roto",
        "nao funciona", "danificad*",
        "nie dziala", "uszkodz*", "nie czyta", "nie odczytuje",
        "не работает", "не читается", "не считывается", "сломал*", "поврежд*", "повреж*",
        "не працює", "не зчитується", "пошкодж*", "зламал*", "не читає",
        "لا تعمل", "لا يعمل", "معطل*", "تالف*", "لا تقرا", "عطل*",
        "calismiyor", "bozul*", "bozuk", "tanimiyor", "okumuyor", "hasar*",
        "nu functioneaza", "deteriorat*", "خراب", "نميكند", "funktioniert nicht", "kaputt", "beschadigt",
    ),
    "collect": (
        "afhal*", "ophal*", "komen halen", "gaan halen", "oppikken", "afgehaald", "opgehaald", "af te halen",
        "op te halen",
        "collect", "collecting", "collected", "collection", "pick up", "pick it up", "picking up", "pickup",
        "retirer", "retrait", "recuperer", "venir chercher", "aller chercher", "passer chercher",
        "recoger", "recogerla", "recogida", "retirar", "levantar", "recolher",
        "odebrac", "odebra*", "odbior*", "odbioru",
        "забрат*", "забрать", "забрати", "получить готов*",
        "استلام*", "استلم*",
        "teslim al*", "ridic*", "ridicare", "تحويل بگيرم", "تحويل گرفتن", "abhol*",
    ),
    "ready": (
        "klaar", "ligt klaar", "ready", "prete", "est prete", "disponible", "lista", "esta lista",
        "gotow*", "готов*", "جاهز*", "hazir", "gata", "pronto", "pronta", "fertig", "آماده",
    ),
    "pinpuk": (
        "pin", "puk", "pin-code*", "pincode*", "puk-code*", "pukcode*", "pin en puk", "codes pin",
        "code pin", "pin kod*", "pin kodu", "пин", "пін", "пин-код*", "пін-код*", "رمز pin",
    ),
    "codes": ("codes", "code", "kody", "kodami", "kodlari", "коды", "кодами", "коди", "رموز", "الرموز", "codurile"),
    "letter": (
        "brief", "letter", "lettre", "courrier", "carta", "list", "listu", "письмо", "лист", "رساله",
        "mektup", "scrisoare", "نامه", "post", "poste",
    ),
    "service_centre": (
        "dienstencentrum*", "dienstverleningscentrum*", "service centre", "service center", "centre de service*",
        "centre de services", "centro de servicio*", "centrum obslugi", "сервисн* центр*", "сервісн* центр*",
        "مركز الخدمه", "مركز خدمه", "hizmet merkez*", "centrul de servicii", "loket", "stadskantoor",
    ),
    "orange": (
        "oranje", "orange", "naranja", "pomaranczow*", "оранжев*", "помаранчев*", "برتقالي*",
        "turuncu", "portocali*", "laranja", "نارنجي",
    ),
    "immatriculation": (
        "immatriculatie*", "immatriculation*", "attestation d'immatriculation", "certificate of immatriculation",
        "attest van immatriculatie", "inmatriculacion", "иммат*", "імат*",
    ),
}
