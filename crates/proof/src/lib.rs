//! Proof that the common list was agreed. See README.md.

pub mod bundle;
pub mod demo;
pub mod jcs;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod minisign;
pub mod records;

pub use bundle::{
    Check, EarlierHead, ExportComment, Failure, ProofBundle, VerifyError, VerifyReport,
    sign_export, verify_bundle, verify_file,
};
pub use keys::{KeyError, Keyring, SignedKeyRotation};
pub use log::{LogEntry, TransparencyLog};
pub use minisign::{KeyId, PublicKey, SecretKey, Signature};
pub use records::{
    AuditCheckpoint, Decision, DecisionKind, MemberKey, MemberKeyring, Signed, SignedDecision,
    SignedTreeHead, TreeHead, VersionRecord,
};
