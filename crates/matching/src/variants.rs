//! Equivalent spellings of common name parts.
//!
//! Each group lists spellings of one name part seen on lists, passports and
//! visas of the region: Arabic-origin names as written in English, French,
//! Russian-based and Turkic-Latin traditions, plus the Arabic-script form
//! (already folded by `translit::arabic::fold`, article split off). The first
//! entry is the canonical form shown in explanations. Spellings that the
//! phonetic key already equates (Muhammad/Muhammed) are still listed when
//! they are common, because a group match is stronger evidence than a key
//! match and is explained as such.
//!
//! Nicknames (Bill/William) are in the same table: to the screener they are
//! another spelling of the same name part.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

pub const GROUPS: &[&[&str]] = &[
    // Arabic-origin given names and name parts.
    &[
        "muhammad",
        "mohammed",
        "mohammad",
        "mohamed",
        "mohamad",
        "muhammed",
        "muhamad",
        "muhamed",
        "mohammod",
        "mohamud",
        "mohd",
        "muhd",
        "mehmet",
        "mehmed",
        "mahomed",
        "mukhammad",
        "mukhamed",
        "mukhammed",
        "magomed",
        "magomet",
        "mahammad",
        "muhammadu",
        "mamadou",
        "mohamet",
        "muhamet",
        "mohammedi",
        "mokhammad",
        "mukhamad",
        "muhamadi",
        "محمد",
    ],
    &[
        "ahmad", "ahmed", "akhmed", "akhmad", "achmed", "ahmet", "ehmad", "ahmadi", "احمد",
    ],
    &[
        "mahmud",
        "mahmoud",
        "makhmud",
        "mahmood",
        "mehmood",
        "mahmut",
        "محمود",
    ],
    &["hamid", "hameed", "khamid", "hamed", "حامد", "حميد"],
    &["ali", "aly", "alee", "علي"],
    &[
        "hasan", "hassan", "hasen", "gasan", "khasan", "hassen", "hasson", "حسن",
    ],
    &[
        "husayn", "hussein", "husain", "hussain", "husein", "hosein", "hossein", "huseyn",
        "guseyn", "gusein", "huseyin", "hossain", "hosain", "hussien", "khusein", "husen", "حسين",
    ],
    &[
        "abdul", "abd", "abdel", "abdal", "abdol", "abdoul", "abdu", "abdel", "abdil", "abdou",
        "عبد",
    ],
    &[
        "abdullah",
        "abdulla",
        "abdallah",
        "abdalla",
        "abdollah",
        "abdoullah",
        "abdoulaye",
        "abdulloh",
        "abdullahi",
        "abdala",
        "عبدالله",
    ],
    &[
        "ullah", "ulla", "allah", "ollah", "ulloh", "olloh", "alla", "الله",
    ],
    &[
        "uddin", "addin", "eddin", "iddin", "oddin", "uddeen", "udin", "aldin", "eddine", "edin",
        "ud-din",
    ],
    &["rahman", "rakhman", "rehman", "rahmon", "rahmane", "رحمن"],
    &["rahim", "rakhim", "raheem", "rahym", "rahimi", "رحيم"],
    &["karim", "kareem", "kerim", "karimi", "كريم"],
    &[
        "yusuf", "yousef", "yousuf", "yusef", "youssef", "yousif", "yussuf", "jusuf", "iusuf",
        "yusup", "yosef", "يوسف",
    ],
    &[
        "yunus", "younis", "younes", "yunis", "iunus", "younus", "يونس",
    ],
    &["yahya", "yahia", "yahyo", "iakhia", "yakhya", "يحيي"],
    &[
        "yaqub",
        "yakub",
        "yacoub",
        "yaqoob",
        "yakoub",
        "jakub",
        "yokub",
        "iakub",
        "يعقوب",
    ],
    &["usama", "osama", "oussama", "ousama", "osamah", "اسامه"],
    &["umar", "omar", "omer", "oumar", "umer", "عمر"],
    &[
        "uthman",
        "usman",
        "osman",
        "othman",
        "usmon",
        "osmane",
        "utman",
        "عثمان",
    ],
    &["ladin", "laden", "ladan"],
    &[
        "ibrahim",
        "ebrahim",
        "ibragim",
        "ibrahem",
        "ibroxim",
        "ibrokhim",
        "abraham",
        "ابراهيم",
    ],
    &[
        "ismail",
        "ismael",
        "ismoil",
        "ismayil",
        "ismayl",
        "esmail",
        "smail",
        "ismoyil",
        "اسماعيل",
    ],
    &[
        "sulayman",
        "suleiman",
        "sulaiman",
        "suleyman",
        "sulaymon",
        "soliman",
        "suleman",
        "سليمان",
    ],
    &[
        "khalid", "khaled", "halid", "khaled", "holid", "kholid", "خالد",
    ],
    &[
        "said", "saeed", "sayed", "sayid", "sayyid", "sayyed", "syed", "saed", "seyed", "seyyed",
        "سعيد", "سيد",
    ],
    &["saad", "saadi", "سعد"],
    &["bakr", "bakar", "bakir", "بكر"],
    &["jafar", "jaafar", "djafar", "dzhafar", "jafer", "جعفر"],
    &[
        "mustafa",
        "mostafa",
        "moustafa",
        "mustapha",
        "mustofo",
        "مصطفي",
    ],
    &["musa", "moussa", "mousa", "mussa", "moses", "موسي"],
    &["isa", "issa", "eisa", "esa", "عيسي"],
    &["nur", "noor", "nour", "nuri", "نور"],
    &["zia", "ziya", "ziyo", "ضياء"],
    &["aziz", "azeez", "aziz", "عزيز"],
    &["abbas", "abas", "عباس"],
    &["hafiz", "hafez", "khafiz", "hafeez", "حافظ"],
    &["qadir", "kadir", "qader", "kader", "qodir", "kadyr", "قادر"],
    &[
        "qasim", "kasim", "qassem", "kassem", "qosim", "kasym", "gasim", "قاسم",
    ],
    &["tahir", "taher", "takhir", "tohir", "طاهر"],
    &["nasir", "naser", "nasser", "nassir", "nosir", "ناصر"],
    &["nasr", "nasar", "nasri", "نصر"],
    &["zubair", "zubayr", "zubeir", "zoubair", "زبير"],
    &["bashir", "basheer", "bachir", "beshir", "بشير"],
    &["jamal", "jamaal", "djamal", "gamal", "dzhamal", "جمال"],
    &["jalal", "jallal", "djalal", "جلال"],
    &["salah", "salahuddin", "salih", "saleh", "صالح"],
    &["saif", "sayf", "seif", "saifi", "سيف"],
    &["faisal", "faysal", "feisal", "faycal", "فيصل"],
    &["habib", "khabib", "habeeb", "حبيب"],
    &["anwar", "anouar", "enver", "anvar", "انور"],
    &["akhtar", "akhter", "axtar", "اختر"],
    &["mansur", "mansour", "mansoor", "منصور"],
    &["hakim", "hakeem", "khakim", "حكيم"],
    &["haq", "haqq", "hak", "حق"],
    &["haqqani", "haqani", "hakkani", "حقاني"],
    &[
        "sheikh", "shaikh", "shaykh", "sheik", "shaik", "cheikh", "shekh", "شيخ",
    ],
    &["mulla", "mullah", "molla", "mollah", "ملا"],
    &[
        "mawlawi",
        "maulvi",
        "mawlavi",
        "moulvi",
        "maulawi",
        "maulavi",
        "molvi",
        "مولوي",
    ],
    &["haji", "hajji", "hadji", "khadzhi", "حاجي"],
    &["qari", "kari", "قاري"],
    &["islam", "eslam", "islom", "اسلام"],
    &["rasul", "rasool", "rassoul", "rasoul", "rasuli", "رسول"],
    &["zakir", "zakir", "zaker", "zokir", "ذاكر"],
    &["sharif", "sharief", "shareef", "cherif", "sherif", "شريف"],
    &["shah", "shakh", "شاه"],
    &["khan", "xan", "خان"],
    &["gul", "gol", "گل"],
    &["wali", "vali", "valiy", "walli", "ولي"],
    &["amin", "ameen", "emin", "امين"],
    &["amir", "ameer", "emir", "امير"],
    &["fazl", "fazal", "fadl", "فضل"],
    &["iqbal", "ikbal", "iqbol", "اقبال"],
    &["jalil", "djalil", "jaleel", "جليل"],
    &["khalil", "khaleel", "halil", "خليل"],
    &["najib", "najeeb", "nadzhib", "نجيب"],
    &["nazar", "nazir", "nazeer", "نظر"],
    &["rashid", "rasheed", "rachid", "rashed", "rashidov", "رشيد"],
    &["shamsuddin", "shamsudin", "shamseddin", "shamsiddin"],
    &[
        "sirajuddin",
        "serajuddin",
        "sirojiddin",
        "sirajudin",
        "sirajeddin",
    ],
    &[
        "nuruddin",
        "noureddine",
        "nureddin",
        "nuriddin",
        "nooruddin",
    ],
    &["ghulam", "gulam", "golam", "غلام"],
    &["ghani", "gani", "ghany", "غني"],
    &["ghafur", "ghafoor", "gafur", "ghafour", "غفور"],
    &["ayman", "aiman", "eiman", "ايمن"],
    &["zawahiri", "zawahri", "zavahiri"],
    &["baghdadi", "bagdadi"],
    &["qaida", "qaeda", "kaida", "qaidah", "قاعده"],
    &["taliban", "taleban", "طالبان"],
    &["hizb", "hezb", "hizbi", "حزب"],
    &["tahrir", "takhrir", "تحرير"],
    &["jihad", "djihad", "dzhikhad", "jehad", "جهاد"],
    &[
        "jamaat",
        "jamaah",
        "jamiat",
        "jamaa",
        "jama",
        "jemaah",
        "djamaat",
        "جماعه",
    ],
    &["lashkar", "lashkare", "لشكر"],
    &["tayyiba", "taiba", "tayyaba", "toiba", "taibah"],
    &["ansar", "ansor", "انصار"],
    &["ittihad", "ittehad", "itihad", "اتحاد"],
    // Central Asian and Russian-tradition names.
    &[
        "aleksandr",
        "alexander",
        "alexandr",
        "aleksander",
        "oleksandr",
        "alexandre",
        "alessandro",
        "alejandro",
        "alexandros",
        "iskander",
        "iskandar",
    ],
    &["sergey", "sergei", "sergiy", "serhiy", "serguei", "sergej"],
    &[
        "dmitry", "dmitriy", "dmitri", "dmytro", "dimitri", "dmitrii",
    ],
    &["yury", "yuri", "yuriy", "iurii", "jurij", "yurii", "georgy"],
    &["nikolay", "nikolai", "mykola", "nicolai", "nikolaj"],
    &[
        "vladimir",
        "wladimir",
        "volodymyr",
        "uladzimir",
        "wladimiro",
    ],
    &[
        "mikhail", "michael", "mykhailo", "mikhael", "mihail", "michail",
    ],
    &[
        "yevgeny", "evgeny", "evgeniy", "yevgeniy", "evgenii", "yevhen", "eugene",
    ],
    &["andrey", "andrei", "andriy", "andrew", "andrej"],
    &[
        "aleksey", "alexey", "alexei", "aleksei", "oleksiy", "oleksii",
    ],
    &["pyotr", "petr", "peter", "petro", "piotr"],
    &["ivan", "ivan", "iwan", "ioann"],
    &["nursultan", "nursoltan"],
    &["rustam", "rustem", "rostam", "rustum"],
    &["timur", "temur", "teymur", "temir", "timour"],
    &["shavkat", "shaukat", "shawkat", "shavqat"],
    &[
        "bakhtiyar",
        "bakhtiar",
        "bakhtiyor",
        "bakhtier",
        "bahtiyar",
        "bakhtiyer",
    ],
    &["jamshid", "jamshed", "dzhamshid", "djamshid", "jamshet"],
    // Common English nicknames.
    &["william", "bill", "billy", "will", "willy"],
    &["robert", "bob", "bobby", "rob", "robbie"],
    &["richard", "dick", "rick", "ricky", "rich"],
    &["benjamin", "ben", "benny", "bibi"],
    &["theodore", "ted", "teddy", "theo"],
    &["edward", "ed", "eddie", "ted", "ned"],
    &["barack", "barry"],
    &["james", "jim", "jimmy", "jamie"],
    &["joseph", "joe", "joey", "josef", "giuseppe", "iosif"],
    &[
        "john", "jack", "johnny", "juan", "johann", "jean", "ivan", "ioannis", "giovanni",
    ],
    &["thomas", "tom", "tommy"],
    &["charles", "charlie", "chuck"],
    &["elizabeth", "liz", "beth", "betty", "eliza"],
    &["margaret", "maggie", "peggy", "meg"],
    &["anthony", "tony", "antonio", "anton"],
    &["francis", "frank", "francisco", "francois", "franz"],
    &["henry", "harry", "hank", "heinrich", "enrique", "henri"],
    &[
        "friedrich",
        "frederick",
        "fritz",
        "fred",
        "frederic",
        "federico",
    ],
    &["nicholas", "nick", "nicolas", "nikolaos", "niccolo"],
    &["samuel", "sam", "sammy"],
    &["daniel", "dan", "danny"],
    &["david", "dave", "davey"],
    &["steven", "stephen", "steve", "stefan", "stepan"],
    &[
        "catherine",
        "katherine",
        "kate",
        "kathy",
        "ekaterina",
        "yekaterina",
        "katerina",
    ],
    // Korean family names: South Korean, North Korean (McCune-Reischauer)
    // and Revised Romanization spellings of one name (李 Lee / Yi / Ri;
    // 朴 Park / Pak / Bak; 崔 Choi / Choe; 鄭 Jung / Jeong). Not Chinese
    // "li": it is also a common given name (丽, 力), and 李 in Han
    // characters is read Yi / Ri anyway (`translit::han`).
    &["lee", "yi", "rhee", "ri"],
    &["park", "pak", "bak"],
    &["choi", "choe"],
    &["jung", "jeong"],
    &["yoon", "yun"],
    &["moon", "mun"],
    &["kwon", "gwon"],
    &["ryu", "yoo"],
    // Particles that different traditions spell differently.
    &["bin", "ibn", "ben", "bn", "bint", "binti", "ibni"],
    &[
        "al", "el", "ul", "ar", "as", "ad", "an", "at", "az", "ash", "ud", "ur", "us", "ad-",
    ],
    &["abu", "abou", "abo", "ابو"],
    &["first", "1"],
    &["second", "2"],
    &["third", "3"],
    &["international", "intl", "int"],
];

/// Maps every spelling to the index of its group.
fn table() -> &'static HashMap<&'static str, u32> {
    static T: OnceLock<HashMap<&'static str, u32>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::default();
        for (i, g) in GROUPS.iter().enumerate() {
            for s in g.iter() {
                // A spelling listed in two groups (ted, ivan) keeps its first
                // group; the second listing still documents the nickname.
                m.entry(*s).or_insert(i as u32);
            }
        }
        m
    })
}

/// The group a spelling belongs to, if any.
pub fn group_of(token: &str) -> Option<u32> {
    table().get(token).copied()
}

/// The canonical spelling of a group.
pub fn canonical(group: u32) -> &'static str {
    GROUPS[group as usize][0]
}

/// Looks up a folded Arabic-script word; returns the canonical Latin spelling.
pub fn arabic_word(folded: &str) -> Option<&'static str> {
    group_of(folded).map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliteration_variants_share_a_group() {
        for (a, b) in [
            ("mohammed", "muhammad"),
            ("yousef", "yusuf"),
            ("hussein", "husayn"),
            ("abdulla", "abdullah"),
            ("magomed", "mohamed"),
        ] {
            assert_eq!(group_of(a), group_of(b), "{a} / {b}");
            assert!(group_of(a).is_some());
        }
    }

    #[test]
    fn different_names_are_in_different_groups() {
        assert_ne!(group_of("hasan"), group_of("husayn"));
        assert_ne!(group_of("ahmad"), group_of("muhammad"));
    }

    #[test]
    fn arabic_script_forms_give_the_canonical_latin() {
        assert_eq!(arabic_word("محمد"), Some("muhammad"));
        assert_eq!(arabic_word("عبدالله"), Some("abdullah"));
    }

    #[test]
    fn every_group_is_lowercase_and_nonempty() {
        for g in GROUPS {
            assert!(!g.is_empty());
            for s in g.iter() {
                assert_eq!(s.to_lowercase(), *s);
            }
        }
    }
}
