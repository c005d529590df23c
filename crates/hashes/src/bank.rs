//! Banks of shared hashes: who owns a bank and who may match against it
//! (through the platform's one visibility rule, `accord_core::may_see`),
//! what labels a hash carries, how members' feedback holds a hash, and the
//! states a hash goes through. Pure: the store keeps banks and hashes, the
//! web layer asks these functions.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;

use accord_core::tlp::Tlp;
use accord_core::validation;
use accord_core::{Distribution, FieldError, Invalid, MemberCode, Principal, Role, may_see};

use crate::{
    Md5Digest, PdqHash, Sha256Digest, SignalType, parse_quality, parse_vpdq_signal,
    require_reliable, vpdq_signal,
};

/// A bank's permanent id: a slug (`kaz-propaganda`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BankId(String);

impl BankId {
    pub fn parse(raw: &str) -> Result<BankId, String> {
        let s = raw.trim();
        let ok = (3..=64).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(BankId(s.to_string()))
        } else {
            Err(
                "must be 3 to 64 lower-case letters, digits and hyphens (e.g. kaz-propaganda)"
                    .into(),
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BankId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A named collection of hashes, owned by a member or by the secretariat
/// (`owner: None`), shared by its marking and distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    pub id: BankId,
    pub name: String,
    pub owner: Option<MemberCode>,
    pub tlp: Tlp,
    /// Which members' users may match against it, within what the marking opens.
    pub distribution: Distribution,
    /// An allow bank lists known false positives (news footage, a
    /// government's own counter-narrative): a match in it vetoes the others.
    pub allow: bool,
    /// Disagreements ("false positive") from this many members hold a hash
    /// from matching until its owner reviews it; 0 never holds.
    pub hold_after: u32,
    /// Days a hash labelled with a delisted subject keeps matching before it
    /// is retracted.
    pub grace_days: u32,
}

/// The default number of members' disagreements that hold a hash.
pub const DEFAULT_HOLD_AFTER: u32 = 2;
/// The default grace period after a delisting, in days.
pub const DEFAULT_GRACE_DAYS: u32 = 14;

/// A bank as a form or an API client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BankInput {
    pub id: String,
    pub name: String,
    /// A member code; blank for the secretariat.
    pub owner: String,
    pub tlp: String,
    /// Member codes to share with; empty: the whole platform (within the marking).
    pub share_with: Vec<String>,
    pub allow: bool,
    pub hold_after: Option<u32>,
    pub grace_days: Option<u32>,
}

fn field(errors: &mut Vec<FieldError>, name: &str, message: impl Into<String>) {
    errors.push(FieldError {
        field: name.to_string(),
        message: message.into(),
    });
}

impl BankInput {
    /// Every bad field at once.
    pub fn validate(&self) -> Result<Bank, Invalid> {
        let mut errors = Vec::new();
        let id = BankId::parse(&self.id)
            .map_err(|m| field(&mut errors, "id", m))
            .ok();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            field(
                &mut errors,
                "name",
                "is required: up to 200 characters, no control characters",
            );
        } else if let Err(e) = validation::visible("name", name) {
            errors.extend(e.errors);
        }
        let owner = match self.owner.trim() {
            "" => None,
            code => MemberCode::parse(code)
                .map_err(|_| field(&mut errors, "owner", "is not a member code"))
                .ok(),
        };
        let tlp = Tlp::from_str(if self.tlp.trim().is_empty() {
            "AMBER"
        } else {
            self.tlp.trim()
        })
        .map_err(|_| {
            field(
                &mut errors,
                "tlp",
                "must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
            )
        })
        .ok();
        let mut members = BTreeSet::new();
        for (i, m) in self
            .share_with
            .iter()
            .filter(|m| !m.trim().is_empty())
            .enumerate()
        {
            match MemberCode::parse(m.trim()) {
                Ok(code) => {
                    members.insert(code);
                }
                Err(_) => field(
                    &mut errors,
                    &format!("share_with[{i}]"),
                    "is not a member code",
                ),
            }
        }
        if tlp == Some(Tlp::Clear) && !members.is_empty() {
            field(
                &mut errors,
                "share_with",
                "a TLP:CLEAR bank is open to everyone; mark it GREEN or AMBER to share it with some members",
            );
        }
        if !errors.is_empty() {
            return Err(Invalid { errors });
        }
        Ok(Bank {
            id: id.expect("checked"),
            name: name.to_string(),
            owner,
            tlp: tlp.expect("checked"),
            distribution: if members.is_empty() {
                Distribution::Platform
            } else {
                Distribution::Members { members }
            },
            allow: self.allow,
            hold_after: self.hold_after.unwrap_or(DEFAULT_HOLD_AFTER),
            grace_days: self.grace_days.unwrap_or(DEFAULT_GRACE_DAYS),
        })
    }
}

/// Whether `who` may match against, and read, a bank.
pub fn may_read(bank: &Bank, who: &Principal) -> bool {
    may_see(who, bank.tlp, bank.owner.as_ref(), &bank.distribution)
}

/// Whether `who` may add and remove hashes, and review them: the owner's
/// contributors and administrators; the secretariat.
pub fn may_write(bank_owner: Option<&MemberCode>, who: &Principal) -> bool {
    if who.is_secretariat() {
        return true;
    }
    let editor = matches!(who.role(), Some(Role::Contributor | Role::MemberAdmin));
    editor && bank_owner.is_some_and(|m| who.is_of(m))
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $var),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let s = s.trim().to_ascii_lowercase();
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    format!("must be one of {}", $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "))
                })
            }
        }
    };
}

vocabulary!(
    /// What was hashed.
    ContentType { Image = "image", Video = "video", File = "file" }
);

vocabulary!(
    /// What the content does, as GIFCT's taxonomy classes it.
    Behaviour {
        Recruitment = "recruitment",
        Glorification = "glorification",
        Instruction = "instruction",
        Threat = "threat",
        Manifesto = "manifesto",
        LivestreamedAttack = "livestreamed_attack",
        Other = "other",
    }
);

vocabulary!(
    /// A member's view of a match.
    Verdict { Agree = "agree", Disagree = "disagree", Actioned = "actioned" }
);

vocabulary!(
    /// Where a hash is in its life. Only active hashes match; every other
    /// state is carried by the change feed so copies elsewhere follow.
    HashState {
        Active = "active",
        /// Held from matching by disagreements until its owner reviews it.
        Held = "held",
        /// Its entity was delisted and the grace period passed.
        Retracted = "retracted",
        /// Removed by its owner: a tombstone.
        Deleted = "deleted",
    }
);

/// Whom the content is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Entity {
    /// A subject of the common list, by its public identifier (`ACL-0001`).
    Listed(String),
    /// An entity that is not listed, by name.
    Named(String),
    Unknown,
}

/// The labels of one hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub entity: Entity,
    pub content_type: ContentType,
    pub behaviour: Behaviour,
    /// ISO date the content was first seen.
    pub first_seen: Option<String>,
    /// The file's type as its extension (`mp4`, `jpg`), when known: hash
    /// lists name it (platforms match MD5 hashes of videos only, for one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    pub note: String,
}

/// A problem with one field: its name and what is wrong.
pub type Problem = (String, String);

/// A signal as stored: its type and canonical text (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Signal {
    pub signal_type: SignalType,
    pub value: String,
}

impl Signal {
    /// Checks and normalizes a signal; a PDQ hash needs its quality and a
    /// reliable one (≥ 50), a vPDQ hash at least one reliable frame.
    pub fn parse(
        signal_type: &str,
        value: &str,
        quality: Option<&str>,
    ) -> Result<(Signal, Option<u8>), Vec<Problem>> {
        let mut errors = Vec::new();
        let kind = match SignalType::from_str(signal_type) {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(("signal_type".into(), e.to_string()));
                None
            }
        };
        let mut q = None;
        let canonical = match kind {
            Some(SignalType::Pdq) => {
                match quality.map(str::trim).filter(|s| !s.is_empty()) {
                    None => errors.push((
                        "quality".into(),
                        "a PDQ hash needs its quality (0 to 100)".into(),
                    )),
                    Some(raw) => {
                        match parse_quality(raw).and_then(|v| require_reliable(v).map(|_| v)) {
                            Ok(v) => q = Some(v),
                            Err(e) => errors.push(("quality".into(), e.to_string())),
                        }
                    }
                }
                PdqHash::parse(value)
                    .map(|h| h.to_hex())
                    .map_err(|e| errors.push(("signal".into(), e.to_string())))
                    .ok()
            }
            Some(SignalType::Md5) => Md5Digest::parse(value)
                .map(|d| d.to_hex())
                .map_err(|e| errors.push(("signal".into(), e.to_string())))
                .ok(),
            Some(SignalType::Sha256) => Sha256Digest::parse(value)
                .map(|d| d.to_hex())
                .map_err(|e| errors.push(("signal".into(), e.to_string())))
                .ok(),
            // A video's frame hashes, each with its own quality; stored in
            // the form ThreatExchange exchanges.
            Some(SignalType::Vpdq) => parse_vpdq_signal(value)
                .map(|frames| vpdq_signal(&frames))
                .map_err(|e| errors.push(("signal".into(), e.to_string())))
                .ok(),
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            Signal {
                signal_type: kind.expect("checked"),
                value: canonical.expect("checked"),
            },
            q,
        ))
    }
}

/// One hash to add, as a form, a CSV row or an API client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HashInput {
    pub signal_type: String,
    pub signal: String,
    pub quality: Option<serde_json::Value>,
    /// A common-list subject (`ACL-0001`), or blank.
    pub entity_subject: String,
    /// The entity's name when it is not listed, or blank.
    pub entity_name: String,
    pub content_type: String,
    pub behaviour: String,
    pub first_seen: String,
    /// The file's extension, e.g. `mp4`, or blank.
    pub file_type: String,
    pub note: String,
}

/// A checked hash: its signal, quality and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHash {
    pub signal: Signal,
    pub quality: Option<u8>,
    pub labels: Labels,
}

impl HashInput {
    /// Every problem, its field prefixed with `at` (`hashes[3].signal`).
    pub fn validate(&self, at: &str) -> Result<NewHash, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut push = |f: &str, m: String| {
            errors.push(FieldError {
                field: if at.is_empty() {
                    f.to_string()
                } else {
                    format!("{at}.{f}")
                },
                message: m,
            })
        };
        let quality = self.quality.as_ref().map(|q| match q {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let signal = match Signal::parse(&self.signal_type, &self.signal, quality.as_deref()) {
            Ok(s) => Some(s),
            Err(es) => {
                for (f, m) in es {
                    push(&f, m);
                }
                None
            }
        };
        let subject = self.entity_subject.trim();
        let name = self.entity_name.trim();
        let entity = match (subject, name) {
            ("", "") => Some(Entity::Unknown),
            (s, "") if is_subject_id(s) => Some(Entity::Listed(s.to_string())),
            (_, "") => {
                push(
                    "entity_subject",
                    "must be a common-list identifier such as ACL-0001".into(),
                );
                None
            }
            ("", n) if validation::hidden_character(n).is_some() => {
                push("entity_name", validation::HIDDEN_CHARACTER_MESSAGE.into());
                None
            }
            ("", n) if n.chars().count() <= 200 && !n.chars().any(char::is_control) => {
                Some(Entity::Named(n.to_string()))
            }
            ("", _) => {
                push(
                    "entity_name",
                    "must be up to 200 characters, no control characters".into(),
                );
                None
            }
            _ => {
                push(
                    "entity_name",
                    "give the listed subject or a name, not both".into(),
                );
                None
            }
        };
        let content_type = ContentType::from_str(&self.content_type)
            .map_err(|e| push("content_type", e))
            .ok();
        let behaviour = Behaviour::from_str(&self.behaviour)
            .map_err(|e| push("behaviour", e))
            .ok();
        let first_seen = match self.first_seen.trim() {
            "" => Some(None),
            d if time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE)
                .is_ok() =>
            {
                Some(Some(d.to_string()))
            }
            _ => {
                push("first_seen", "must be a date, YYYY-MM-DD".into());
                None
            }
        };
        let file_type = match self.file_type.trim().trim_start_matches('.') {
            "" => Some(None),
            t if t.len() <= 10 && t.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(Some(t.to_ascii_lowercase()))
            }
            _ => {
                push(
                    "file_type",
                    "must be a file extension of up to 10 letters and digits, e.g. mp4".into(),
                );
                None
            }
        };
        let note = self.note.trim();
        if note.chars().count() > 2000 {
            push("note", "must be at most 2000 characters".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (signal, quality) = signal.expect("checked");
        Ok(NewHash {
            signal,
            quality,
            labels: Labels {
                entity: entity.expect("checked"),
                content_type: content_type.expect("checked"),
                behaviour: behaviour.expect("checked"),
                first_seen: first_seen.expect("checked"),
                file_type: file_type.expect("checked"),
                note: note.to_string(),
            },
        })
    }
}

/// `ACL-0001`: the common list's public identifiers.
pub fn is_subject_id(s: &str) -> bool {
    s.strip_prefix("ACL-")
        .is_some_and(|n| n.len() >= 4 && n.chars().all(|c| c.is_ascii_digit()))
}

/// Whether a hash attributed to a subject delisted on `delisted_on` stops
/// matching on `today`: once the bank's grace period has passed (the owner
/// reviews it meanwhile; a platform's copy hears of it through the feed).
pub fn retraction_due(delisted_on: time::Date, grace_days: u32, today: time::Date) -> bool {
    today >= delisted_on.saturating_add(time::Duration::days(i64::from(grace_days)))
}

/// The most hashes one batch adds or looks up.
pub const MAX_BATCH: usize = 1000;

/// A hash's state after a member's feedback: disagreements from
/// `hold_after` or more members hold an active hash from matching.
pub fn state_after_feedback(
    current: HashState,
    disagreeing_members: u32,
    hold_after: u32,
) -> HashState {
    match current {
        HashState::Active if hold_after > 0 && disagreeing_members >= hold_after => HashState::Held,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::MemberKind;

    fn member(code: &str, kind: MemberKind, role: Role) -> Principal {
        Principal::member_user(7, "u", MemberCode::parse(code).unwrap(), kind, role)
    }

    fn bank(tlp: &str, share: &[&str]) -> Bank {
        BankInput {
            id: "kaz-bank".into(),
            name: "Kazakhstan's bank".into(),
            owner: "KAZ".into(),
            tlp: tlp.into(),
            share_with: share.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn a_bank_shared_with_some_members_is_read_by_them_the_owner_and_the_secretariat_only() {
        let b = bank("AMBER", &["KGZ"]);
        assert!(may_read(
            &b,
            &member("KAZ", MemberKind::RegionalState, Role::Reader)
        ));
        assert!(may_read(
            &b,
            &member("KGZ", MemberKind::RegionalState, Role::Reader)
        ));
        assert!(!may_read(
            &b,
            &member("TJK", MemberKind::RegionalState, Role::MemberAdmin)
        ));
        assert!(may_read(
            &b,
            &Principal::platform_user(1, "s", Role::SecretariatAdmin)
        ));
        assert!(!may_read(&b, &Principal::Anonymous));
    }

    #[test]
    fn only_the_owners_editors_and_the_secretariat_write_to_a_bank() {
        let kaz = MemberCode::parse("KAZ").unwrap();
        assert!(may_write(
            Some(&kaz),
            &member("KAZ", MemberKind::RegionalState, Role::Contributor)
        ));
        assert!(!may_write(
            Some(&kaz),
            &member("KAZ", MemberKind::RegionalState, Role::Reader)
        ));
        assert!(!may_write(
            Some(&kaz),
            &member("KGZ", MemberKind::RegionalState, Role::MemberAdmin)
        ));
        assert!(!may_write(
            None,
            &member("KGZ", MemberKind::RegionalState, Role::MemberAdmin)
        ));
        assert!(may_write(
            None,
            &Principal::platform_user(1, "s", Role::SecretariatAdmin)
        ));
    }

    #[test]
    fn a_clear_bank_cannot_pretend_to_be_shared_with_a_few() {
        let e = BankInput {
            id: "x-bank".into(),
            name: "X".into(),
            tlp: "CLEAR".into(),
            share_with: vec!["KGZ".into()],
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.errors.iter().any(|f| f.field == "share_with"));
    }

    #[test]
    fn names_of_banks_and_entities_that_hide_characters_are_refused() {
        let e = BankInput {
            id: "x-bank".into(),
            name: "Bank\u{202E}".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.errors[0].field, "name");
        assert_eq!(e.errors[0].message, validation::HIDDEN_CHARACTER_MESSAGE);
        let e = HashInput {
            signal_type: "sha256".into(),
            signal: "ab".repeat(32),
            entity_name: "Da\u{200B}esh".into(),
            ..Default::default()
        }
        .validate("hashes[0]")
        .unwrap_err();
        assert!(
            e.iter().any(|f| f.field == "hashes[0].entity_name"
                && f.message == validation::HIDDEN_CHARACTER_MESSAGE),
            "{e:?}"
        );
    }

    #[test]
    fn every_bad_field_of_a_hash_is_named() {
        let e = HashInput {
            signal_type: "pdq".into(),
            signal: "abc".into(),
            quality: Some(serde_json::json!(30)),
            entity_subject: "Daesh".into(),
            content_type: "picture".into(),
            behaviour: "recruitment".into(),
            first_seen: "2025-13-01".into(),
            file_type: "m p4".into(),
            ..Default::default()
        }
        .validate("hashes[2]")
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "hashes[2].quality",
            "hashes[2].signal",
            "hashes[2].entity_subject",
            "hashes[2].content_type",
            "hashes[2].file_type",
            "hashes[2].first_seen",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn signals_are_stored_in_one_canonical_form() {
        let (s, q) = Signal::parse("SHA-256", &"AB".repeat(32), None).unwrap();
        assert_eq!(s.signal_type, SignalType::Sha256);
        assert_eq!(s.value, "ab".repeat(32));
        assert_eq!(q, None);
        assert!(
            Signal::parse("pdq", &"0f".repeat(32), None).is_err(),
            "PDQ needs its quality"
        );
        assert!(
            Signal::parse("pdq", &"0f".repeat(32), Some("49")).is_err(),
            "an unreliable PDQ is refused"
        );
        assert!(Signal::parse("pdq", &"0f".repeat(32), Some("80")).is_ok());
        assert!(Signal::parse("tmk", "00", None).is_err());
        // vPDQ: either text form in, ThreatExchange's JSON form stored.
        let h = "D6A596DD25384B697961001FBFD20493E5867D7D0129D7C89697A4B4FEF4480E";
        let (s, q) = Signal::parse("vpdq", &format!("0,100,{h},0\n1,40,{h},1.0"), None).unwrap();
        let lower = h.to_ascii_lowercase();
        assert_eq!(
            s.value,
            format!("[\"{lower},100,0.000\",\"{lower},40,1.000\"]")
        );
        assert_eq!(q, None);
        let errors = Signal::parse("vpdq", &format!("[\"{h},20,0\"]"), None).unwrap_err();
        assert_eq!(errors[0].0, "signal");
        assert!(errors[0].1.contains("quality 50 or more"), "{errors:?}");
    }

    #[test]
    fn a_delisted_subjects_hashes_match_until_the_grace_period_ends() {
        let d = time::macros::date!(2026 - 03 - 01);
        assert!(!retraction_due(d, 14, time::macros::date!(2026 - 03 - 14)));
        assert!(retraction_due(d, 14, time::macros::date!(2026 - 03 - 15)));
        assert!(retraction_due(d, 0, d));
    }

    #[test]
    fn disagreements_from_enough_members_hold_a_hash_and_zero_never_holds() {
        assert_eq!(
            state_after_feedback(HashState::Active, 1, 2),
            HashState::Active
        );
        assert_eq!(
            state_after_feedback(HashState::Active, 2, 2),
            HashState::Held
        );
        assert_eq!(
            state_after_feedback(HashState::Active, 9, 0),
            HashState::Active
        );
        assert_eq!(
            state_after_feedback(HashState::Deleted, 9, 1),
            HashState::Deleted
        );
    }
}
