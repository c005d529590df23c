//! Proof that the common list was agreed: minisign signatures over every
//! published file and record, members' own signatures on their decisions,
//! RFC 8785 canonical JSON (NFC first), an RFC 6962 transparency log, and
//! the offline verifier behind `accord verify`. See README.md and
//! docs/proof.md.
//!
//! ```
//! use accord_proof::demo::World;
//! use accord_proof::{Check, verify_bundle};
//!
//! let w = World::build();
//! let file = w.file(2);
//! let report = verify_bundle(
//!     &file.bytes,
//!     &file.signature.to_text(),
//!     &w.bundle(2),
//!     &w.current_key.public_key(),
//!     None,
//! )
//! .unwrap();
//! assert_eq!(report.superseded_by, Some(3));
//!
//! // Another file under the same signature: the failed check is named.
//! let err = verify_bundle(b"forged", &file.signature.to_text(), &w.bundle(2),
//!     &w.current_key.public_key(), None).unwrap_err();
//! assert_eq!(err.check, Check::FileSignature);
//! ```

pub mod audit;
pub mod bundle;
pub mod demo;
pub mod jcs;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod minisign;
pub mod records;

pub use audit::CheckpointProof;
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
