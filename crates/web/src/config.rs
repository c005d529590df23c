//! Settings of the web server that do not live in the database.

/// How the server behaves; built by the `accord` binary from flags,
/// environment and an optional configuration file.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cookies carry the `Secure` attribute. Browsers accept secure cookies
    /// from http://localhost and http://127.0.0.1, so this stays on even for
    /// local use; turn it off only behind a plain-HTTP proxy on another host.
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Largest file upload (reference list imports), in bytes.
    pub max_upload_bytes: usize,
    /// Whether the audit record of a screening keeps the names screened.
    /// Off by default: the audit log records who screened how many names
    /// against which lists, not whom they asked about.
    pub audit_screened_names: bool,
    /// How often each node checks whether the stored lists changed (an
    /// import or an adoption elsewhere) and rebuilds its screening index.
    pub screening_refresh: std::time::Duration,
    /// Sign-in throttling.
    pub login_throttle: accord_store::LoginThrottle,
    /// The platform's signing key (`accord_proof::keys::load_or_create`),
    /// loaded once by the binary. Without it the proof endpoints answer 404.
    pub signing_key: Option<std::sync::Arc<accord_proof::SecretKey>>,
    /// Who publishes the programmes' IATI file: the secretariat's IATI
    /// organisation identifier, type and name.
    pub iati: accord_programmes::iati::IatiConfig,
}

/// The secretariat as IATI's reporting organisation until one is
/// configured: `XI-IATI-` is IATI's own registration agency prefix, and a
/// deployment sets its registered identifier (`--iati-reporting-org`).
pub fn default_iati() -> accord_programmes::iati::IatiConfig {
    use accord_programmes::model::{OrgRef, OrgType, Text};
    accord_programmes::iati::IatiConfig {
        reporting_org: OrgRef::parse("XI-IATI-ACCORD").expect("a valid organisation identifier"),
        reporting_org_type: OrgType::parse("40").expect("40 is Multilateral"),
        reporting_org_name: Text::single("en", "Accord partnership secretariat", 200)
            .expect("a short name"),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: true,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            audit_screened_names: false,
            screening_refresh: std::time::Duration::from_secs(30),
            login_throttle: accord_store::LoginThrottle::default(),
            signing_key: None,
            iati: default_iati(),
        }
    }
}
