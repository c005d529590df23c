//! Text analysis: how words become index terms.
//!
//! Four analysers, one per group of languages, plus a mixed one for
//! attachment text whose language is not known:
//!
//! | analyser | pipeline |
//! |---|---|
//! | `accord_en` | words → drop > 100 bytes → lowercase → ASCII folding → English stemmer |
//! | `accord_ru` | words → drop long → lowercase → ё→е → ASCII folding → Russian stemmer |
//! | `accord_ar` | words → drop long → lowercase → Arabic-script folding → ASCII folding → Arabic article removal |
//! | `accord_arab` | words → drop long → lowercase → Arabic-script folding → ASCII folding |
//! | `accord_other` | words → drop long → lowercase → ё→е → Arabic-script folding → ASCII folding |
//! | `accord_mixed` | as `accord_other`, then per word: Cyrillic → Russian stemmer, Latin → English stemmer, Arabic script → article removal |
//!
//! "Words" are runs of letters, digits and combining marks (so Arabic
//! harakat and Indic vowel signs stay inside their word, and are then
//! folded away where the analyser folds), with the zero-width (non-)joiners
//! that Persian writes inside words.

use std::borrow::Cow;
use std::mem;
use std::str::CharIndices;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this many bytes are not indexed (base64 blobs, URLs
/// glued together, …); tantivy's own limit on a term is far higher.
pub const MAX_WORD_BYTES: usize = 100;

/// How many analyser groups there are.
pub const GROUPS: usize = 5;

/// The analyser group a language version is indexed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// English: stemmed.
    En,
    /// Russian: ё→е, stemmed.
    Ru,
    /// Arabic: letter folding, and the article (ال, وال, بال, كال, فال, لل) removed.
    Ar,
    /// The other Arabic-script languages (Persian, Dari, Urdu, Pashto,
    /// Sorani, Sindhi, Uyghur…): letter folding only (a Persian word may
    /// well begin with ال).
    ArabicScript,
    /// Everything else: lowercase and ASCII folding (plus the two script folds, which only
    /// touch Cyrillic ё and Arabic-script letters).
    Other,
}

impl Group {
    /// All groups, in field order.
    pub const ALL: [Group; GROUPS] = [
        Group::En,
        Group::Ru,
        Group::Ar,
        Group::ArabicScript,
        Group::Other,
    ];

    /// The tokenizer name registered for this group.
    pub fn analyzer_name(self) -> &'static str {
        match self {
            Group::En => "accord_en",
            Group::Ru => "accord_ru",
            Group::Ar => "accord_ar",
            Group::ArabicScript => "accord_arab",
            Group::Other => "accord_other",
        }
    }

    /// Suffix of the group's field names (`title_en`, `text_en`, …).
    pub fn suffix(self) -> &'static str {
        match self {
            Group::En => "en",
            Group::Ru => "ru",
            Group::Ar => "ar",
            Group::ArabicScript => "arab",
            Group::Other => "other",
        }
    }

    /// The group a BCP-47-ish language tag is analysed with. A script subtag
    /// wins (`uz-Arab` → Arabic script, `ru-Latn` → other); otherwise the
    /// primary subtag decides.
    pub fn for_lang(tag: &str) -> Group {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or("");
        let script = parts.find(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_alphabetic()));
        match script {
            Some("arab") if primary == "ar" => return Group::Ar,
            Some("arab") => return Group::ArabicScript,
            Some("cyrl") if primary == "ru" => return Group::Ru,
            Some("latn") if primary == "en" => return Group::En,
            Some(_) => return Group::Other,
            None => {}
        }
        match primary {
            "en" => Group::En,
            "ru" => Group::Ru,
            // Languages written in the Arabic script by default.
            "ar" => Group::Ar,
            "fa" | "prs" | "ur" | "ps" | "ckb" | "sd" | "ug" | "ks" | "bal" | "pnb" => {
                Group::ArabicScript
            }
            _ => Group::Other,
        }
    }
}

/// The name of the analyser used for attachment text (script decided per word).
pub const MIXED_ANALYZER: &str = "accord_mixed";

/// Registers every analyser this crate's schema names.
pub fn register(manager: &TokenizerManager) {
    for group in Group::ALL {
        manager.register(group.analyzer_name(), analyzer(group));
    }
    manager.register(MIXED_ANALYZER, mixed_analyzer());
}

/// A fresh analyser for `group`.
pub fn analyzer(group: Group) -> TextAnalyzer {
    let base = TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser);
    match group {
        Group::En => base
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build(),
        Group::Ru => base
            .filter(YoFolding)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::Russian))
            .build(),
        Group::Ar => base
            .filter(ArabicFolding)
            .filter(AsciiFoldingFilter)
            .filter(ArabicArticle)
            .build(),
        Group::ArabicScript => base
            .filter(ArabicFolding)
            .filter(AsciiFoldingFilter)
            .build(),
        Group::Other => base
            .filter(YoFolding)
            .filter(ArabicFolding)
            .filter(AsciiFoldingFilter)
            .build(),
    }
}

/// The attachment analyser: folds every script, then stems Cyrillic words
/// as Russian and Latin words as English, and removes the Arabic article.
pub fn mixed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(YoFolding)
        .filter(ArabicFolding)
        .filter(AsciiFoldingFilter)
        .filter(ScriptStemmer)
        .filter(ArabicArticle)
        .build()
}

// ---------------------------------------------------------------------------
// The tokenizer

#[inline]
fn is_word_char(c: char) -> bool {
    match c {
        // Fast paths for the scripts the library mostly holds.
        '0'..='9' | 'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{7F}' => false,
        '\u{0410}'..='\u{044F}' | 'ё' | 'Ё' => true,
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{065F}' => true,
        '\u{200C}' | '\u{200D}' => true,
        _ => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// Splits text into runs of letters, digits and combining marks.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    chars: CharIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            chars: text.char_indices(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let start = loop {
            match self.chars.next() {
                Some((i, c)) if is_word_char(c) => break i,
                Some(_) => {}
                None => return false,
            }
        };
        let mut end = self.text.len();
        for (i, c) in self.chars.by_ref() {
            if !is_word_char(c) {
                end = i;
                break;
            }
        }
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

// ---------------------------------------------------------------------------
// Folding filters

/// Folds Cyrillic ё to е (and Ё to Е), as Russian is mostly typed without ё.
pub fn fold_yo(s: &str) -> Cow<'_, str> {
    if s.contains(['ё', 'Ё']) {
        Cow::Owned(
            s.chars()
                .map(|c| match c {
                    'ё' => 'е',
                    'Ё' => 'Е',
                    c => c,
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

fn needs_arabic_folding(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' | '\u{200C}' | '\u{200D}')
}

/// What one Arabic-script character folds to: `None` drops it.
fn fold_arabic_char(c: char) -> Option<char> {
    Some(match c {
        // Yeh: Farsi yeh, alef maksura, Urdu yeh barree (and with hamza), yeh with hamza.
        'ی' | 'ى' | 'ے' | 'ۓ' | 'ئ' => 'ي',
        // Kaf: keheh (Persian/Urdu keyboards), swash kaf.
        'ک' | 'ڪ' => 'ك',
        // Teh marbuta and the heh variants of Persian and Urdu.
        'ة' | 'ۀ' | 'ہ' | 'ۂ' | 'ۃ' | 'ھ' => 'ه',
        // Alef with hamza above/below, madda, wasla, wavy hamzas.
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ؤ' => 'و',
        // Arabic-Indic and Persian digits.
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        // Harakat, superscript alef, Quranic annotation marks, tatweel, joiners.
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0610}'..='\u{061A}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{0640}'
        | '\u{200C}'
        | '\u{200D}' => return None,
        c => c,
    })
}

/// Arabic-script letter-shape folding, so text typed on an Arabic, Persian or
/// Urdu keyboard meets the same terms: ي/ی/ى/ئ/ے → ي, ك/ک → ك, ة/ۀ/ہ/ھ → ه,
/// أ/إ/آ/ٱ → ا, ؤ → و; harakat (U+064B–U+065F), superscript alef (U+0670),
/// Quranic marks, tatweel (U+0640) and zero-width (non-)joiners are dropped;
/// Arabic-Indic and Persian digits become ASCII digits; presentation forms
/// (U+FB50–U+FDFF, U+FE70–U+FEFF, common in text extracted from PDFs) are
/// first replaced by their letters (NFKC). Other characters are unchanged.
pub fn fold_arabic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_arabic_into(s, &mut out);
    out
}

fn fold_arabic_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}') {
            for d in std::iter::once(c).nfkc() {
                if let Some(f) = fold_arabic_char(d) {
                    out.push(f);
                }
            }
        } else if let Some(f) = fold_arabic_char(c) {
            out.push(f);
        }
    }
}

/// Token filter: ё → е.
#[derive(Clone, Copy, Debug, Default)]
pub struct YoFolding;

/// Token filter: [`fold_arabic`]. Tokens that fold to nothing (a lone
/// tatweel or diacritic) are skipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicFolding;

/// Token filter: Russian stemmer for Cyrillic words, English stemmer for
/// Latin words, other words unchanged. Expects lowercased input.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptStemmer;

/// Token filter: removes the Arabic definite article and its fused
/// prepositions (ال, وال, بال, كال, فال, لل) from the front of a word when
/// at least two letters remain, so "المدرسة" and "مدرسة" meet. Expects
/// folded input (أ/إ/آ already ا). Only for Arabic proper: Persian words
/// may begin with ال.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicArticle;

/// [`ArabicArticle`] on one word.
pub fn strip_arabic_article(word: &str) -> &str {
    for prefix in ["وال", "بال", "كال", "فال", "لل", "ال"] {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            return rest;
        }
    }
    word
}

/// The tokenizer a [`YoFolding`], [`ArabicFolding`] or [`ScriptStemmer`] wraps.
#[derive(Clone)]
pub struct Filtered<F, T> {
    kind: F,
    inner: T,
    buffer: String,
}

/// The stream of a [`Filtered`] tokenizer.
pub struct FilteredStream<'a, F, S> {
    kind: F,
    tail: S,
    buffer: &'a mut String,
}

/// What a per-token filter does to one token's text.
pub trait TokenTextFilter: Clone + Copy + Send + Sync + 'static {
    /// Rewrites `text` (using `buffer` as scratch); returns false to drop the token.
    fn apply(self, text: &mut String, buffer: &mut String) -> bool;
}

impl TokenTextFilter for YoFolding {
    fn apply(self, text: &mut String, buffer: &mut String) -> bool {
        if let Cow::Owned(folded) = fold_yo(text) {
            *buffer = folded;
            mem::swap(text, buffer);
        }
        true
    }
}

impl TokenTextFilter for ArabicFolding {
    fn apply(self, text: &mut String, buffer: &mut String) -> bool {
        if text.chars().any(needs_arabic_folding) {
            buffer.clear();
            fold_arabic_into(text, buffer);
            mem::swap(text, buffer);
        }
        !text.is_empty()
    }
}

impl TokenTextFilter for ScriptStemmer {
    fn apply(self, text: &mut String, buffer: &mut String) -> bool {
        let Some(first) = text.chars().find(|c| c.is_alphabetic()) else {
            return true;
        };
        let algorithm = match first {
            '\u{0400}'..='\u{04FF}' => frostem::Algorithm::Russian,
            'a'..='z' | '\u{00C0}'..='\u{024F}' => frostem::Algorithm::English,
            _ => return true,
        };
        let stemmer = frostem::Stemmer::new(algorithm);
        let stemmed = match stemmer.stem(text) {
            Cow::Owned(s) => Some(s),
            Cow::Borrowed(b) if b.len() != text.len() => Some(b.to_owned()),
            Cow::Borrowed(_) => None,
        };
        if let Some(stemmed) = stemmed {
            *buffer = stemmed;
            mem::swap(text, buffer);
        }
        true
    }
}

impl TokenTextFilter for ArabicArticle {
    fn apply(self, text: &mut String, _buffer: &mut String) -> bool {
        let cut = text.len() - strip_arabic_article(text).len();
        if cut > 0 {
            text.drain(..cut);
        }
        true
    }
}

macro_rules! token_filter {
    ($name:ty) => {
        impl TokenFilter for $name {
            type Tokenizer<T: Tokenizer> = Filtered<$name, T>;

            fn transform<T: Tokenizer>(self, tokenizer: T) -> Filtered<$name, T> {
                Filtered {
                    kind: self,
                    inner: tokenizer,
                    buffer: String::new(),
                }
            }
        }
    };
}

token_filter!(YoFolding);
token_filter!(ArabicFolding);
token_filter!(ScriptStemmer);
token_filter!(ArabicArticle);

impl<F: TokenTextFilter, T: Tokenizer> Tokenizer for Filtered<F, T> {
    type TokenStream<'a> = FilteredStream<'a, F, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FilteredStream {
            kind: self.kind,
            tail: self.inner.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

impl<F: TokenTextFilter, S: TokenStream> TokenStream for FilteredStream<'_, F, S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self
                .kind
                .apply(&mut self.tail.token_mut().text, self.buffer)
            {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The terms the index makes of `text` in a version of language `lang`
/// (what a query word must also become to match it).
pub fn index_terms(lang: &str, text: &str) -> Vec<String> {
    terms(&mut analyzer(Group::for_lang(lang)), text)
}

/// The terms `analyzer` makes of `text`, in order.
pub(crate) fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

// ---------------------------------------------------------------------------
// Markdown

/// The text a reader sees of a Markdown body: paragraphs, headings, list
/// items, table cells, code and image descriptions, one block a line; link
/// targets and image addresses dropped; raw HTML kept as the literal text it
/// is shown as (the library's renderer escapes it), so `<b>` is searchable
/// and is escaped again in snippets.
pub fn markdown_to_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) if !out.ends_with('\n') => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::Rule => out.push('\n'),
            _ => {}
        }
    }
    while out.ends_with(['\n', ' ']) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> Vec<String> {
        terms(&mut analyzer(Group::En), text)
    }
    fn ru(text: &str) -> Vec<String> {
        terms(&mut analyzer(Group::Ru), text)
    }
    fn ar(text: &str) -> Vec<String> {
        terms(&mut analyzer(Group::Ar), text)
    }

    #[test]
    fn english_is_lowercased_and_stemmed() {
        assert_eq!(en("Radicalisation PREVENTED"), ["radicalis", "prevent"]);
        assert_eq!(en("naïve"), en("naive"));
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        let forms = ru("экстремизм экстремизма экстремизму Экстремизмом");
        assert!(forms.iter().all(|t| t == &forms[0]), "{forms:?}");
    }

    #[test]
    fn yo_folds_to_ye_before_stemming() {
        assert_eq!(ru("ещё"), ru("еще"));
        assert_eq!(fold_yo("Ёлка"), "Елка");
    }

    #[test]
    fn arabic_letters_fold_as_the_keyboards_differ() {
        // Persian keyboard (ی, ک) versus Arabic keyboard (ي, ك).
        assert_eq!(fold_arabic("کتابی"), fold_arabic("كتابي"));
        assert_eq!(fold_arabic("مدرسة"), "مدرسه");
        assert_eq!(fold_arabic("أحمد إسلام آمن"), "احمد اسلام امن");
        assert_eq!(fold_arabic("مؤتمر"), "موتمر");
        assert_eq!(fold_arabic("هيئة"), "هييه");
        assert_eq!(fold_arabic("مُحَمَّد"), "محمد");
        assert_eq!(fold_arabic("كـــتاب"), "كتاب");
        assert_eq!(fold_arabic("١٢٣ ۴۵۶"), "123 456");
        assert_eq!(fold_arabic("می\u{200C}خواهم"), "ميخواهم");
        // Presentation forms, as PDF text extraction often yields them.
        assert_eq!(fold_arabic("\u{FEB3}\u{FEFC}\u{FEE1}"), "سلام");
    }

    #[test]
    fn diacritics_stay_inside_their_word() {
        assert_eq!(ar("كَتَبَ الدَّرْسَ"), ["كتب", "درس"]);
        // A lone tatweel is no word.
        assert_eq!(ar("ـ كتاب"), ["كتاب"]);
    }

    #[test]
    fn the_arabic_article_is_removed_in_arabic_only() {
        assert_eq!(ar("المدرسة للإرهاب والكتاب"), ["مدرسه", "ارهاب", "كتاب"]);
        // Too short to be article + word.
        assert_eq!(ar("الى"), ["الي"]);
        let persian = terms(&mut analyzer(Group::ArabicScript), "الگو");
        assert_eq!(persian, ["الگو"]);
    }

    #[test]
    fn over_long_words_are_dropped() {
        let long = "a".repeat(MAX_WORD_BYTES + 1);
        assert_eq!(en(&format!("{long} word")), ["word"]);
    }

    #[test]
    fn mixed_analyzer_stems_by_script() {
        let mut mixed = mixed_analyzer();
        assert_eq!(
            terms(&mut mixed, "экстремизма Prevention کتاب"),
            [
                ru("экстремизма")[0].clone(),
                en("prevention")[0].clone(),
                fold_arabic("کتاب")
            ]
        );
    }

    #[test]
    fn languages_pick_their_group() {
        assert_eq!(Group::for_lang("en"), Group::En);
        assert_eq!(Group::for_lang("en-GB"), Group::En);
        assert_eq!(Group::for_lang("RU"), Group::Ru);
        assert_eq!(Group::for_lang("ar"), Group::Ar);
        assert_eq!(Group::for_lang("fa"), Group::ArabicScript);
        assert_eq!(Group::for_lang("ur"), Group::ArabicScript);
        assert_eq!(Group::for_lang("ps"), Group::ArabicScript);
        assert_eq!(Group::for_lang("uz-Arab"), Group::ArabicScript);
        assert_eq!(Group::for_lang("kk"), Group::Other);
        assert_eq!(Group::for_lang("uz"), Group::Other);
        assert_eq!(Group::for_lang(""), Group::Other);
    }

    #[test]
    fn markdown_is_reduced_to_what_a_reader_sees() {
        let text = markdown_to_text(
            "# Heading\n\nSome *emphasis* and [a link](https://example.org/x).\n\n\
             - one\n- two\n\n![a chart](img.png)\n\n`code` <script>alert(1)</script>",
        );
        assert!(
            text.contains("Heading\nSome emphasis and a link."),
            "{text}"
        );
        assert!(text.contains("one\ntwo"), "{text}");
        assert!(text.contains("a chart"), "{text}");
        assert!(text.contains("<script>alert(1)</script>"), "{text}");
        assert!(!text.contains("example.org"), "{text}");
        assert!(!text.contains("img.png"), "{text}");
    }
}
