//! Uploaded files in and stored files out: which types members may attach
//! (evidence, report files, strategy documents), and the one way a stored
//! file is sent back — as an attachment with its type, never cached, so a
//! file is never rendered in the site's origin.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

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

/// A stored file as a download.
pub fn attachment(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_documents_and_images_are_allowed_whatever_the_case() {
        assert_eq!(allowed_type("Report.PDF"), Some("application/pdf"));
        assert_eq!(allowed_type("photo.jpeg"), Some("image/jpeg"));
        assert_eq!(allowed_type("run.exe"), None);
        assert_eq!(allowed_type("no-extension"), None);
        assert_eq!(allowed_type("page.html"), None);
    }

    #[test]
    fn a_download_is_an_attachment_with_a_safe_name_and_no_cache() {
        let r = attachment("a\"b\r\n.pdf", "application/pdf", b"%PDF".to_vec());
        let h = r.headers();
        assert_eq!(
            h[header::CONTENT_DISPOSITION],
            "attachment; filename=\"a_b__.pdf\""
        );
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }
}
