//! IATI 2.03: the writer of an `iati-activities` document of the
//! publishable programmes, and the reader that turns a donor's IATI file
//! into programmes plus a report (all or nothing).
//!
//! See `docs/programmes.md` for the element-by-element mapping.

mod read;
mod write;

pub use read::{
    IatiError, Import, ImportContext, ImportReport, MAX_IMPORT_BYTES, check_codes, read_activities,
    read_activities_from,
};
pub use write::{IatiConfig, IatiExport, publishable, write_activities};

/// The IATI version written and read.
pub const VERSION: &str = "2.03";

/// Tag vocabulary 99 (reporting organisation) codes: `kind.<kind>` and
/// `commitment.<commitment id>`.
pub(crate) const TAG_KIND: &str = "kind.";
pub(crate) const TAG_COMMITMENT: &str = "commitment.";
