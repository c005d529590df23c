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
    /// Hours a batch screening's result (which holds the screened names)
    /// is kept after the job ends; then it is deleted.
    pub screening_result_hours: u32,
    /// Batch screenings one user may run at once.
    pub screening_jobs_per_user: i64,
    /// Days every traveller of a screened manifest is kept; 0 (the
    /// default) keeps only the flight, the totals and the travellers with
    /// candidates.
    pub manifest_retention_days: u32,
    /// Rows one batch screening may hold.
    pub screening_max_rows: i64,
    /// How often each node checks whether the stored lists changed (an
    /// import or an adoption elsewhere) and rebuilds its screening index.
    pub screening_refresh: std::time::Duration,
    /// Sign-in throttling.
    pub login_throttle: accord_store::LoginThrottle,
    /// Reverse proxies whose `X-Forwarded-For` is believed: the client they
    /// name is the one throttled and audited. Empty by default, so the
    /// header is ignored and the peer's address is the client.
    pub trusted_proxies: Vec<TrustedProxy>,
    /// The platform's signing key (`accord_proof::keys::load_or_create`),
    /// loaded once by the binary. Without it the proof endpoints answer 404.
    pub signing_key: Option<std::sync::Arc<accord_proof::SecretKey>>,
    /// How often the procedure clock signs the audit chain's head into the
    /// transparency log when the chain has moved ([`crate::anchor`]);
    /// `None` turns the schedule off (publications still anchor it).
    pub audit_anchor_interval: Option<std::time::Duration>,
    /// Who publishes the programmes' IATI file: the secretariat's IATI
    /// organisation identifier, type and name.
    pub iati: accord_programmes::iati::IatiConfig,
    /// Hash signals one API token (or signed-in user) may look up per
    /// minute on one node ([`crate::lookups`]).
    pub hash_lookups_per_minute: u64,
    /// The period lookups are tallied and audited by (a minute; tests shorten it).
    pub lookup_tally_period: std::time::Duration,
    /// How uploaded videos are decoded for vPDQ (the ffmpeg program, the
    /// frame rate, the limits).
    pub video: accord_video::VideoOptions,
    /// Requests one anonymous client (an IPv4 address, an IPv6 /64) may make
    /// per minute on one node before `429`; 0 turns the limit off
    /// ([`crate::rate_limit`]).
    pub anonymous_requests_per_minute: u32,
    /// Requests one API token may make per minute on one node; 0 is off.
    pub token_requests_per_minute: u32,
    /// Petitions one client may file a day, and how many of the day's
    /// petitions each notify the ombudsperson (held in the database, so on
    /// every node).
    pub petition_budget: accord_store::common_list::PetitionBudget,
    /// A new API token's lifetime when none is asked for, in days.
    pub token_days: u32,
    /// Largest library attachment, in bytes (50 MiB unless configured).
    pub max_attachment_bytes: u64,
    /// The folder of this node's library search index; `None` keeps it in
    /// memory (rebuilt from the database on start). The binary puts it
    /// beside an SQLite database unless told otherwise.
    pub library_index: Option<std::path::PathBuf>,
    /// How often this node reads the library changes other nodes wrote.
    pub library_follow: std::time::Duration,
    /// How often the procedure clock ticks (a minute).
    pub procedure_clock_tick: std::time::Duration,
    /// How long a node holds the procedure clock's lease without renewing
    /// it (three minutes: three ticks); another node takes over after that.
    pub procedure_clock_lease: std::time::Duration,
    /// Outgoing e-mail of notices and digests; `None` sends none (users
    /// may still keep their settings).
    pub mail: Option<MailConfig>,
}

/// Where and how the platform sends e-mail (`crate::mail`).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:25` (plain, for a local relay), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465` (TLS), as lettre reads it.
    pub smtp_url: String,
    /// The sender, e.g. `Accord <accord@example.org>`.
    pub from: String,
    /// The platform's address as users open it, for the links in messages.
    pub public_url: String,
    /// How often the mailer looks for notices to send.
    pub every: std::time::Duration,
    /// The UTC hour from which the daily digest goes out.
    pub digest_hour_utc: u8,
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
            screening_result_hours: 24,
            screening_jobs_per_user: 2,
            screening_max_rows: 100_000,
            manifest_retention_days: 0,
            screening_refresh: std::time::Duration::from_secs(30),
            login_throttle: accord_store::LoginThrottle::default(),
            trusted_proxies: Vec::new(),
            signing_key: None,
            audit_anchor_interval: Some(std::time::Duration::from_secs(
                60 * crate::anchor::DEFAULT_INTERVAL_MINUTES,
            )),
            iati: default_iati(),
            hash_lookups_per_minute: 6_000_000,
            lookup_tally_period: std::time::Duration::from_secs(60),
            video: accord_video::VideoOptions::default(),
            // A person reading pages makes a few requests a minute; a page
            // with its assets is one limited request (assets are exempt).
            anonymous_requests_per_minute: 120,
            // A border post screens batches of up to 1,000 names a request,
            // a TAXII client polls; 20 a second is far above either.
            token_requests_per_minute: 1_200,
            petition_budget: accord_store::common_list::PetitionBudget::default(),
            token_days: accord_core::token::DEFAULT_TOKEN_DAYS,
            max_attachment_bytes: accord_library::DEFAULT_MAX_ATTACHMENT_BYTES,
            library_index: None,
            library_follow: std::time::Duration::from_secs(2),
            procedure_clock_tick: std::time::Duration::from_secs(60),
            procedure_clock_lease: std::time::Duration::from_secs(180),
            mail: None,
        }
    }
}

/// An address or a CIDR network of reverse proxies (`10.0.0.7`, `10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: std::net::IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    pub fn parse(text: &str) -> Result<TrustedProxy, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: std::net::IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or network"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?} has a prefix length outside 0..={max}"))?,
            None => max,
        };
        Ok(TrustedProxy { network, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The client of a request: the peer, unless the peer is a trusted proxy,
/// in which case `X-Forwarded-For` is read from the right (the hop the
/// proxy itself added) past every trusted proxy; the first address not
/// trusted is the client. An unreadable entry stops the walk at the last
/// address known, so a forged header can name no one but what a trusted
/// proxy appended.
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: &[&str],
    trusted: &[TrustedProxy],
) -> std::net::IpAddr {
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer;
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        let net = TrustedProxy::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.1.2.3")) && !net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.9.9.9")), "IPv4-mapped IPv6");
        let one = TrustedProxy::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        assert!(
            TrustedProxy::parse("fd00::/8")
                .unwrap()
                .contains(ip("fd12::1"))
        );
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("192.0.2.1"))
        );
        for bad in ["", "proxy.example", "10.0.0.0/33", "::/129", "1.2.3.4/x"] {
            assert!(TrustedProxy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = [TrustedProxy::parse("10.0.0.0/8").unwrap()];
        // No trusted proxy: the header is the client's own words, ignored.
        assert_eq!(
            client_address(ip("192.0.2.9"), &["198.51.100.1"], &trusted),
            ip("192.0.2.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.1"], &[]),
            ip("10.0.0.2")
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.1"], &trusted),
            ip("198.51.100.1")
        );
        // A client forging a first entry is not believed past its own hop.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["203.0.113.7, 198.51.100.1"], &trusted),
            ip("198.51.100.1")
        );
        // Two trusted hops, across two headers.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.1", "10.0.0.3"], &trusted),
            ip("198.51.100.1")
        );
        // Garbage stops the walk at the last address known.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.1, nonsense"], &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &trusted),
            ip("10.0.0.2")
        );
    }
}
