//! The kinds of signal the hash bank shares.

use std::fmt;
use std::str::FromStr;

use crate::HashError;

/// A kind of hash. Parsing is case-insensitive and accepts the spellings
/// ThreatExchange uses (`pdq`, `md5`, `sha256`/`sha-256`, `vpdq`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SignalType {
    /// 256-bit perceptual hash of an image, matched by Hamming distance.
    Pdq,
    /// MD5 of the file's bytes, matched exactly.
    Md5,
    /// SHA-256 of the file's bytes, matched exactly.
    Sha256,
    /// A PDQ hash per video frame, matched by the share of frames matched.
    Vpdq,
}

impl SignalType {
    pub const ALL: [SignalType; 4] = [Self::Pdq, Self::Md5, Self::Sha256, Self::Vpdq];

    /// The canonical lower-case name, as stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdq => "pdq",
            Self::Md5 => "md5",
            Self::Sha256 => "sha256",
            Self::Vpdq => "vpdq",
        }
    }

    /// True for the kinds matched by distance rather than equality.
    pub fn is_perceptual(self) -> bool {
        matches!(self, Self::Pdq | Self::Vpdq)
    }
}

impl FromStr for SignalType {
    type Err = HashError;

    fn from_str(s: &str) -> Result<Self, HashError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdq" => Ok(Self::Pdq),
            "md5" => Ok(Self::Md5),
            "sha256" | "sha-256" => Ok(Self::Sha256),
            "vpdq" => Ok(Self::Vpdq),
            _ => Err(HashError::UnknownSignalType(s.to_string())),
        }
    }
}

impl fmt::Display for SignalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_type_parses_back_from_its_name() {
        for t in SignalType::ALL {
            assert_eq!(t.as_str().parse::<SignalType>(), Ok(t));
            assert_eq!(t.as_str().to_uppercase().parse::<SignalType>(), Ok(t));
        }
        assert_eq!("SHA-256".parse::<SignalType>(), Ok(SignalType::Sha256));
    }

    #[test]
    fn an_unknown_signal_type_is_refused_by_name() {
        let err = "photodna".parse::<SignalType>().unwrap_err();
        assert_eq!(err, HashError::UnknownSignalType("photodna".into()));
        assert!(err.to_string().contains("photodna"));
    }
}
