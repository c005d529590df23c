//! Uploaded files in and stored files out: which types members may attach
//! (evidence, report files, strategy documents), and the one way a stored
//! file is sent back — as an attachment with its type, never cached, so a
//! file is never rendered in the site's origin.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The files members may attach: documents and images, by extension.
const ALLOWED_TYPES: [(&str, &str); 9] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
];

/// The message for a file of another type.
pub const ALLOWED_TYPES_MESSAGE: &str =
    "attach a PDF, image (PNG, JPEG), text, CSV or office document (DOCX, XLSX, ODT)";

/// The content type of an allowed file, by its name's extension.
pub fn allowed_type(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    ALLOWED_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
}

/// The content type of an upload, checked both ways: its name's extension
/// is an allowed type, and its bytes are of that type (a "report.pdf" that
/// is random bytes or an HTML page is refused). Every upload of a file a
/// member attaches goes through this.
pub fn checked_type(file_name: &str, bytes: &[u8]) -> Result<&'static str, accord_core::Invalid> {
    let content_type = allowed_type(file_name)
        .ok_or_else(|| accord_core::Invalid::field("file", ALLOWED_TYPES_MESSAGE))?;
    if !content_matches(content_type, bytes) {
        return Err(accord_core::Invalid::field(
            "file",
            "the file's content is not what its name says it is",
        ));
    }
    Ok(content_type)
}

/// Whether a file's first bytes are those of the type its name claims: a
/// "report.pdf" that is an HTML page or a program is refused. Text types
/// must be UTF-8 without NUL bytes; office documents are ZIP containers.
pub fn content_matches(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" | "text/csv" => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
        t if t.starts_with("application/vnd.") => bytes.starts_with(b"PK\x03\x04"),
        _ => false,
    }
}

/// The most text kept of one file for search.
const MAX_EXTRACTED_TEXT: usize = 4 * 1024 * 1024;

/// The text of a PDF or plain-text file, for the search index; empty for
/// other types, or when a PDF cannot be read (the file is still stored).
/// PDF parsing runs on a blocking thread, with a time limit, and a panic in
/// the parser is caught: a hostile PDF costs at most that.
pub async fn extract_text(content_type: &str, bytes: &[u8]) -> String {
    let mut text = match content_type {
        "text/plain" | "text/csv" => String::from_utf8_lossy(bytes).into_owned(),
        "application/pdf" => {
            let owned = bytes.to_vec();
            let job = tokio::task::spawn_blocking(move || {
                std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&owned))
            });
            match tokio::time::timeout(std::time::Duration::from_secs(30), job).await {
                Ok(Ok(Ok(Ok(text)))) => text,
                other => {
                    tracing::info!(outcome = ?other.map(|j| j.map(|p| p.map(|_| ()))), "no text could be extracted from a PDF");
                    String::new()
                }
            }
        }
        _ => String::new(),
    };
    if text.len() > MAX_EXTRACTED_TEXT {
        let mut end = MAX_EXTRACTED_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Characters kept as they are in an RFC 5987 `filename*` value (its
/// `attr-char`); everything else is percent-encoded from UTF-8.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The `Content-Disposition` of a download (RFC 6266): always `attachment`,
/// with an ASCII `filename` for old clients (other characters replaced) and
/// the exact name as `filename*` in UTF-8, so a Cyrillic or Arabic name
/// arrives intact and no name can make the file open inline.
pub fn content_disposition(file_name: &str) -> HeaderValue {
    // Direction overrides and invisible characters could make "x.html.pdf"
    // display as another name. New names with them are refused; this keeps
    // them out of downloads of files stored before that.
    let file_name = accord_core::validation::strip_invisible(file_name);
    let file_name = file_name.as_ref();
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = utf8_percent_encode(file_name, ATTR_CHAR);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

/// A stored file as a download.
pub fn attachment(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, content_disposition(file_name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A CSV export as a download. For a person (a page's link) it starts with
/// a UTF-8 byte-order mark: without one, Excel opens UTF-8 as the system's
/// legacy code page and shows Cyrillic and Arabic as mojibake. Machines
/// (the `/api/` routes) get the bytes without it.
pub fn csv_download(request_path: &str, file_name: &str, body: String) -> Response {
    let for_machines = crate::error::is_api_path(request_path);
    let mut bytes = Vec::with_capacity(body.len() + 3);
    if !for_machines {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(body.as_bytes());
    attachment(file_name, "text/csv; charset=utf-8", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn csv_for_people_starts_with_a_byte_order_mark_and_for_machines_not() {
        for (path, expected) in [
            ("/programmes.csv", b"\xEF\xBB\xBFa,b\n".as_slice()),
            ("/api/programmes.csv", b"a,b\n".as_slice()),
        ] {
            let r = csv_download(path, "x.csv", "a,b\n".into());
            assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
            let body = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap();
            assert_eq!(body.as_ref(), expected, "{path}");
        }
    }

    #[test]
    fn only_documents_and_images_are_allowed_whatever_the_case() {
        assert_eq!(allowed_type("Report.PDF"), Some("application/pdf"));
        assert_eq!(allowed_type("photo.jpeg"), Some("image/jpeg"));
        assert_eq!(allowed_type("run.exe"), None);
        assert_eq!(allowed_type("no-extension"), None);
        assert_eq!(allowed_type("page.html"), None);
    }

    #[test]
    fn content_must_match_the_claimed_type() {
        assert!(content_matches("application/pdf", b"%PDF-1.7 ..."));
        assert!(!content_matches("application/pdf", b"<html><script>"));
        assert!(content_matches("image/png", b"\x89PNG\r\n\x1a\n...."));
        assert!(!content_matches("image/jpeg", b"MZ\x90\x00"));
        assert!(content_matches("text/plain", "Доклад".as_bytes()));
        assert!(!content_matches("text/plain", b"a\x00b"));
        assert!(!content_matches("text/plain", &[0xFF, 0xFE, 0x00]));
        let docx = allowed_type("x.docx").unwrap();
        assert!(content_matches(docx, b"PK\x03\x04...."));
        assert!(!content_matches(docx, b"%PDF-"));
    }

    #[test]
    fn a_download_is_an_attachment_with_a_safe_name_and_no_cache() {
        let r = attachment("a\"b\r\n.pdf", "application/pdf", b"%PDF".to_vec());
        let h = r.headers();
        assert_eq!(
            h[header::CONTENT_DISPOSITION],
            "attachment; filename=\"a_b__.pdf\"; filename*=UTF-8''a%22b%0D%0A.pdf"
        );
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn a_cyrillic_name_is_sent_exactly_as_filename_star_and_still_as_an_attachment() {
        let v = content_disposition("Стратегия 2024.pdf");
        assert_eq!(
            v,
            "attachment; filename=\"_________ 2024.pdf\"; \
             filename*=UTF-8''%D0%A1%D1%82%D1%80%D0%B0%D1%82%D0%B5%D0%B3%D0%B8%D1%8F%202024.pdf"
        );
        // Bidi overrides cannot disguise the extension: they are dropped
        // from both forms of the name.
        let v = content_disposition("\u{202e}gnp.html.pdf");
        assert_eq!(
            v,
            "attachment; filename=\"gnp.html.pdf\"; filename*=UTF-8''gnp.html.pdf"
        );
    }
}
