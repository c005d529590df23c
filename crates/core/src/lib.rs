//! Accord's domain core: the vocabulary every other crate speaks.
//!
//! Nothing here does I/O or reads a clock: time is always passed in, so every
//! rule can be tested exhaustively and reused by the storage, web and CLI layers.

pub mod access;
pub mod audit;
pub mod client;
pub mod focal_point;
pub mod member;
pub mod seed;
pub mod tlp;
pub mod token;
pub mod user;
pub mod validation;

pub use access::{
    Action, Denied, Distribution, Membership, PARTIES, Principal, authorize, may_see,
    may_see_proposed_entry,
};
pub use member::{Member, MemberCode, MemberKind, NewMember};
pub use user::{Role, Username};
pub use validation::{FieldError, Invalid};
