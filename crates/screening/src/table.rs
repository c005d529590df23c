//! Reading the table a person uploads for batch screening, as spreadsheets
//! really save it: CSV in UTF-8 (with or without a byte-order mark), UTF-16,
//! Windows-1251 or CP866 (what Russian-locale Excel and old DOS tools write),
//! separated by commas, semicolons (the list separator of Russian and Kazakh
//! spreadsheets) or tabs — or an XLSX workbook, whose first sheet is read.
//!
//! The result is always UTF-8 text with a known separator, which
//! [`crate::screen_csv`] reads; what was detected is kept so that the page and
//! the CLI can say how the file was read.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

/// The separators a spreadsheet may have used, in order of preference.
const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

/// How much an XLSX file may hold once unpacked: its parts are compressed,
/// and a small upload must not unpack into gigabytes.
pub const MAX_XLSX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;

/// The most columns a screened sheet may use (a name, an id, a birth date,
/// a country, a kind, and what else a spreadsheet carries beside them).
pub const MAX_XLSX_COLUMNS: u32 = 64;

/// The most non-empty cells (and shared strings) a workbook may hold.
pub const MAX_XLSX_CELLS: usize = 4_000_000;

/// The most data rows of a sheet when the caller sets no lower limit:
/// Excel's own (1,048,576 rows, one of them the header).
pub const MAX_SHEET_ROWS: usize = 1_048_575;

/// A table ready to screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table as UTF-8 CSV.
    pub text: String,
    /// Its field separator.
    pub separator: u8,
    /// How the upload was read.
    pub read_as: ReadAs,
}

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum ReadAs {
    /// Delimited text in this encoding (its WHATWG name, such as
    /// "windows-1251"), with the separator found in its header.
    Csv { encoding: String, separator: char },
    /// The first worksheet of an XLSX workbook.
    Xlsx { sheet: String },
}

impl ReadAs {
    /// A short English description, for the CLI and logs.
    pub fn describe(&self) -> String {
        match self {
            ReadAs::Csv {
                encoding,
                separator,
            } => format!(
                "CSV in {encoding}, separated by {}",
                separator_name(*separator)
            ),
            ReadAs::Xlsx { sheet } => format!("XLSX, sheet {sheet:?}"),
        }
    }
}

/// The separator's name in English ("comma", "semicolon", "tab").
pub fn separator_name(separator: char) -> &'static str {
    match separator {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        _ => "another character",
    }
}

/// Why an upload is not a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty: a header row with a \"name\" column is needed")]
    Empty,
    #[error("the XLSX workbook could not be read: {0}")]
    Xlsx(String),
    #[error("the XLSX workbook has no worksheet")]
    NoSheet,
    #[error(
        "this is an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx or CSV"
    )]
    OldExcel,
    #[error("the XLSX workbook unpacks to more than {} MiB or holds more than {} cells", MAX_XLSX_UNPACKED_BYTES / (1024 * 1024), MAX_XLSX_CELLS)]
    XlsxTooLarge,
    #[error("the XLSX sheet uses more than {} columns", MAX_XLSX_COLUMNS)]
    XlsxTooWide,
    #[error("at most {max} rows at once")]
    TooManyRows { max: usize },
}

/// Reads an upload as a table: XLSX by its content (a ZIP holding a
/// workbook), anything else as delimited text. A sheet with more than
/// `max_rows` data rows is refused while it is read (a CSV's rows are
/// counted by the caller, who has its text).
pub fn read_table(bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, max_rows);
    }
    // An Excel 97-2003 workbook (or an encrypted XLSX, which is stored the
    // same way) is no text: refused rather than decoded as mojibake.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableError::OldExcel);
    }
    let (encoding, text) = decode(bytes);
    let separator = sniff_separator(&text);
    Ok(Table {
        text,
        separator,
        read_as: ReadAs::Csv {
            encoding: encoding.name().to_string(),
            separator: separator as char,
        },
    })
}

/// The text's encoding: a byte-order mark if there is one, else UTF-8 if the
/// bytes are valid UTF-8, else the detector's guess among the legacy
/// encodings (chardetng tells Windows-1251, CP866 and KOI8-R apart by their
/// letter statistics).
fn decode(bytes: &[u8]) -> (&'static Encoding, String) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (encoding, text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (encoding_rs::UTF_8, text.to_string());
    }
    // ISO-2022-JP is not a spreadsheet's encoding; UTF-8 was ruled out above.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (encoding, text.into_owned())
}

/// The separator of the header row: the one that makes a `name` column,
/// else the one the header has most of (outside quotes), else a comma.
fn sniff_separator(text: &str) -> u8 {
    let header = header_line(text);
    let fields = |sep: u8| -> Vec<String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(sep)
            .from_reader(header.as_bytes());
        reader
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(|f| f.trim().to_lowercase()).collect())
            .unwrap_or_default()
    };
    if let Some(sep) = SEPARATORS
        .into_iter()
        .find(|&sep| fields(sep).iter().any(|f| f == "name"))
    {
        return sep;
    }
    SEPARATORS
        .into_iter()
        .map(|sep| (fields(sep).len(), sep))
        .filter(|(n, _)| *n > 1)
        // max_by_key keeps the last of equals: prefer the earlier separator.
        .rev()
        .max_by_key(|(n, _)| *n)
        .map_or(b',', |(_, sep)| sep)
}

/// The first record of the text: up to the first line break outside quotes.
fn header_line(text: &str) -> &str {
    let text = text.trim_start_matches('\u{feff}');
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => return &text[..i],
            _ => {}
        }
    }
    text
}

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let xlsx = |e: &dyn std::fmt::Display| TableError::Xlsx(e.to_string());
    // The sizes the central directory declares, summed before anything is
    // inflated: a workbook that says it unpacks to more is refused at once
    // (and zip stops a part that inflates past its declared size).
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| xlsx(&e))?;
    let mut unpacked: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|e| xlsx(&e))?;
        unpacked = unpacked.saturating_add(part.size());
        let name = part.name().map_err(|e| xlsx(&e))?;
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings.push(i);
        }
    }
    if unpacked > MAX_XLSX_UNPACKED_BYTES {
        return Err(TableError::XlsxTooLarge);
    }
    // calamine reserves room for as many shared strings as the file says it
    // has: a few hundred bytes claiming ten billion would abort the process.
    for i in shared_strings {
        let mut head = Vec::with_capacity(4096);
        archive
            .by_index(i)
            .map_err(|e| xlsx(&e))?
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|e| xlsx(&e))?;
        if declared_counts(&head).any(|n| n > MAX_XLSX_CELLS) {
            return Err(TableError::XlsxTooLarge);
        }
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx(&e))?;
    let sheet = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(TableError::NoSheet)?;
    // Cell by cell, never as a dense range: a sheet with one cell in A1 and
    // one in XFD1048576 would be a grid of 17 billion cells.
    let mut rows: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    let mut cells = 0usize;
    let mut reader = book.worksheet_cells_reader(&sheet).map_err(|e| xlsx(&e))?;
    while let Some(cell) = reader.next_cell().map_err(|e| xlsx(&e))? {
        let (row, column) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if column >= MAX_XLSX_COLUMNS {
            return Err(TableError::XlsxTooWide);
        }
        cells += 1;
        if cells > MAX_XLSX_CELLS {
            return Err(TableError::XlsxTooLarge);
        }
        let line = rows.entry(row).or_default();
        line.push((column, text));
        // The header and at most max_rows rows under it.
        if rows.len() > max_rows.saturating_add(1) {
            return Err(TableError::TooManyRows { max: max_rows });
        }
    }
    drop(reader);
    let width = rows
        .values()
        .flat_map(|r| r.iter().map(|(c, _)| *c + 1))
        .max()
        .unwrap_or(0) as usize;
    let mut out = csv::Writer::from_writer(Vec::new());
    for line in rows.values() {
        let mut record = vec![String::new(); width];
        for (column, text) in line {
            record[*column as usize].clone_from(text);
        }
        out.write_record(&record).map_err(|e| xlsx(&e))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| TableError::Xlsx(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| TableError::Xlsx(e.to_string()))?;
    if text.is_empty() {
        return Err(TableError::Empty);
    }
    Ok(Table {
        text,
        separator: b',',
        read_as: ReadAs::Xlsx { sheet },
    })
}

/// A cell as the person sees it: whole numbers without ".0" (an id typed
/// as 17 is "17"), dates as ISO dates (a birth date column formatted as a
/// date holds a serial number).
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// The `count` and `uniqueCount` a shared-strings part declares in its
/// opening element.
fn declared_counts(head: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let text = String::from_utf8_lossy(head).into_owned();
    let mut found = Vec::new();
    for attribute in ["count=\"", "uniqueCount=\""] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            // More digits than usize holds is more than any cap.
            found.push(digits.parse::<usize>().unwrap_or(usize::MAX));
        }
    }
    found.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(table: &Table) -> (&str, char) {
        match &table.read_as {
            ReadAs::Csv {
                encoding,
                separator,
            } => (encoding.as_str(), *separator),
            ReadAs::Xlsx { .. } => panic!("read as XLSX"),
        }
    }

    #[test]
    fn utf8_with_and_without_a_byte_order_mark_is_read_as_utf8() {
        for bytes in [
            "name,id\nАйгерим Ахметова,1\n".as_bytes().to_vec(),
            [
                b"\xEF\xBB\xBF".as_slice(),
                "name,id\nАйгерим,1\n".as_bytes(),
            ]
            .concat(),
        ] {
            let t = read_table(&bytes, MAX_SHEET_ROWS).unwrap();
            assert_eq!(csv_of(&t), ("UTF-8", ','));
            assert!(t.text.starts_with("name,id\n"), "{:?}", t.text);
        }
    }

    #[test]
    fn a_russian_excel_csv_in_windows_1251_with_semicolons_is_decoded() {
        let text = "name;country\nМухаммад Тахиров;Узбекистан\nАйгерим Касымова;Казахстан\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        assert!(std::str::from_utf8(&bytes).is_err());
        let t = read_table(&bytes, MAX_SHEET_ROWS).unwrap();
        assert_eq!(csv_of(&t), ("windows-1251", ';'));
        assert_eq!(t.text, text);
    }

    #[test]
    fn a_dos_cp866_file_is_told_from_windows_1251() {
        let text = "name\tid\nПетров Сергей Николаевич\t7\nСидорова Анна Викторовна\t8\n\
                    Иванов Иван Иванович\t9\n";
        let (bytes, _, _) = encoding_rs::IBM866.encode(text);
        let t = read_table(&bytes, MAX_SHEET_ROWS).unwrap();
        assert_eq!(csv_of(&t), ("IBM866", '\t'));
        assert_eq!(t.text, text);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "name,birth_date\nАбдулла Каримов,1971\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let t = read_table(&bytes, MAX_SHEET_ROWS).unwrap();
        assert_eq!(csv_of(&t), ("UTF-16LE", ','));
        assert_eq!(t.text, text);
    }

    #[test]
    fn the_separator_is_the_one_that_makes_a_name_column() {
        // A comma inside a quoted name does not make it comma-separated.
        assert_eq!(sniff_separator("id;name\n1;\"Doe, John\"\n"), b';');
        assert_eq!(sniff_separator("\"name, as written\",id\nx,1\n"), b',');
        assert_eq!(sniff_separator("id\tname\n1\tx\n"), b'\t');
        assert_eq!(sniff_separator("Name ; Country\nx;y\n"), b';');
    }

    #[test]
    fn without_a_name_column_the_most_frequent_separator_wins_and_a_comma_by_default() {
        assert_eq!(sniff_separator("a;b;c\n"), b';');
        assert_eq!(sniff_separator("a,b;c\n"), b',');
        assert_eq!(sniff_separator("nothing\n"), b',');
    }

    #[test]
    fn an_xlsx_workbook_reads_its_first_sheet_with_numbers_and_dates_as_people_see_them() {
        // tests/fixtures/batch.xlsx: see tests/fixtures/README.md.
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/batch.xlsx"
        ))
        .unwrap();
        let t = read_table(&bytes, MAX_SHEET_ROWS).unwrap();
        assert_eq!(
            t.read_as,
            ReadAs::Xlsx {
                sheet: "Travellers".into()
            }
        );
        assert_eq!(t.separator, b',');
        let mut lines = t.text.lines();
        assert_eq!(lines.next(), Some("id,name,birth_date,country"));
        assert_eq!(lines.next(), Some("17,Мухаммад Тахир Анвари,,AF"));
        assert_eq!(lines.next(), Some("18,\"Doe, John\",1980-05-06,US"));
        assert_eq!(lines.next(), Some("19,Jane Roe,1975,GB"));
        assert_eq!(lines.next(), None, "{}", t.text);
    }

    #[test]
    fn a_zip_that_is_no_workbook_is_a_clear_error() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"hello").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(matches!(
            read_table(&bytes, MAX_SHEET_ROWS),
            Err(TableError::Xlsx(_))
        ));
        assert!(matches!(
            read_table(b"PK\x03\x04 cut", MAX_SHEET_ROWS),
            Err(TableError::Xlsx(_))
        ));
        assert_eq!(read_table(b"", MAX_SHEET_ROWS), Err(TableError::Empty));
        assert_eq!(
            read_table(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1], MAX_SHEET_ROWS),
            Err(TableError::OldExcel)
        );
    }

    /// A minimal workbook with `sheet` as its first sheet's XML and, if
    /// given, a shared-strings part.
    fn workbook(sheet: &str, shared_strings: Option<&str>) -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        let mut part = |name: &str, text: &str| {
            zip.start_file(name, opts).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        };
        part(
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>"#,
        );
        part(
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        part(
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        part(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        );
        part(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#
            ),
        );
        if let Some(sst) = shared_strings {
            part("xl/sharedStrings.xml", sst);
        }
        zip.finish().unwrap().into_inner()
    }

    fn inline(cell: &str, text: &str) -> String {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn a_hand_made_workbook_is_read_so_the_hostile_ones_below_are_real_workbooks() {
        let sheet = format!(
            r#"<row r="1">{}</row><row r="2">{}</row>"#,
            inline("A1", "name"),
            inline("A2", "Jane Roe")
        );
        let t = read_table(&workbook(&sheet, None), MAX_SHEET_ROWS).unwrap();
        assert_eq!(t.text, "name\nJane Roe\n");
    }

    #[test]
    fn a_workbook_claiming_billions_of_shared_strings_is_refused_before_any_is_read() {
        let sst = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="10000000000" uniqueCount="10000000000"><si><t>x</t></si></sst>"#;
        let sheet = format!(r#"<row r="1">{}</row>"#, inline("A1", "name"));
        assert_eq!(
            read_table(&workbook(&sheet, Some(sst)), MAX_SHEET_ROWS),
            Err(TableError::XlsxTooLarge)
        );
    }

    #[test]
    fn a_cell_far_out_in_the_sheet_is_no_dense_grid_and_too_many_columns_are_refused() {
        // A1 and XFD1048576: as a dense range, 17 billion cells.
        let sheet = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            inline("A1", "name"),
            inline("XFD1048576", "x")
        );
        assert_eq!(
            read_table(&workbook(&sheet, None), MAX_SHEET_ROWS),
            Err(TableError::XlsxTooWide)
        );
        // Far down but narrow: two rows, read as two rows.
        let sheet = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            inline("A1", "name"),
            inline("A1048576", "Jane Roe")
        );
        let t = read_table(&workbook(&sheet, None), MAX_SHEET_ROWS).unwrap();
        assert_eq!(t.text, "name\nJane Roe\n");
    }

    #[test]
    fn a_sheet_with_more_rows_than_allowed_is_refused_while_it_is_read() {
        let sheet: String = (1..=5)
            .map(|r| format!(r#"<row r="{r}">{}</row>"#, inline(&format!("A{r}"), "x")))
            .collect();
        let bytes = workbook(&sheet, None);
        assert!(read_table(&bytes, 4).is_ok(), "a header and four rows");
        assert_eq!(
            read_table(&bytes, 3),
            Err(TableError::TooManyRows { max: 3 })
        );
    }
}
