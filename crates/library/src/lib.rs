//! The partnership's knowledge library: research findings, reports, good
//! practices, dialogue and event outcomes, training material and
//! counter-narratives, each shared under a TLP 2.0 marking **and** a
//! distribution.
//!
//! Pure: the store keeps items and their versions, the web layer asks these
//! functions, the search index (`accord-search`) finds them. Who may read an
//! item is never decided here but by the platform's one visibility rule,
//! `accord_core::may_see`, which [`workflow::may_read`] calls with the
//! item's marking, its author member and its distribution resolved (a
//! sharing group's members and named users as they are now).

pub mod counter;
pub mod groups;
pub mod import;
pub mod item;
pub mod markdown;
pub mod themes;
pub mod workflow;

pub use counter::{
    AgeBand, Audience, Campaign, CampaignInput, Channel, CounterNarrative, Gender, ReachRow,
};
pub use groups::{InUse, SharingGroup, SharingGroupInput};
pub use item::{Item, ItemInput, LanguageVersion, Shared, SharedWith, Version};
pub use themes::{Theme, ThemeGroup, Vocabulary};
pub use workflow::{Status, Transition, WorkflowError};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an item is. The six kinds the conference's conclusions ask the
/// partners to share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// "information and research findings on what causes radicalization".
    Research,
    Report,
    /// The GCTF's good practices and members' own.
    GoodPractice,
    /// A dialogue's, conference's or event's outcome.
    Event,
    Training,
    /// "counter-messages and positive narratives in response to violent
    /// extremist propaganda": with audience, channel, campaign and reach.
    CounterNarrative,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Research,
        Kind::Report,
        Kind::GoodPractice,
        Kind::Event,
        Kind::Training,
        Kind::CounterNarrative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Research => "research",
            Kind::Report => "report",
            Kind::GoodPractice => "good-practice",
            Kind::Event => "event",
            Kind::Training => "training",
            Kind::CounterNarrative => "counter-narrative",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                "is not a kind: research, report, good-practice, event, training or counter-narrative"
                    .to_string()
            })
    }
}

/// The largest Markdown body of one language version: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 2_000;
/// The default largest attachment: 50 MiB (configurable on the server).
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;

/// Dates as ISO 8601 text (`2015-06-30`) in JSON, stored and served, rather
/// than the `time` crate's default tuple.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::format_description::well_known::Iso8601;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, &Iso8601::DATE).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.collect_str(d),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => Date::parse(&text, &Iso8601::DATE)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
            }
        }
    }
}
