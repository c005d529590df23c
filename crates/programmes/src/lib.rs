//! Capacity-building programmes (capability 7 of `PRODUCT.md`): training of
//! public servants, support to NGOs, prison rehabilitation and
//! reintegration, and the like, with results the Joint Plan can show and
//! published in IATI 2.03. The pure domain only: no I/O, no clock (`now` is
//! passed in), no database.
//!
//! - [`model`]: the parts, each a type that holds only valid values (codes
//!   checked against the IATI code lists in [`codes`], exact decimals,
//!   multilingual [`Text`](model::Text)).
//! - [`input`]: [`ProgrammeInput`] is a form or JSON body; `validate` names
//!   every bad field at once.
//! - [`programme`]: [`Programme::new`](programme::Programme::new) checks the
//!   rules across fields and is the only way to a [`Programme`].
//! - [`rules`]: who sees and edits, result periods drafted and submitted
//!   (separation of duties) and corrected, revisions, versions.
//! - [`iati`]: the IATI 2.03 writer and the all-or-nothing reader.
//! - [`csv`]: programmes and indicator periods as CSV, both ways.
//! - [`aggregate`] and [`svg`]: numbers and server-drawn charts.
//! - [`error`]: every refusal has a code, arguments and a field.
//!
//! ```
//! use accord_programmes::{aggregate, iati, rules, sample, svg};
//! use accord_programmes::model::{OrgRef, OrgType, Text};
//! use accord_programmes::rules::PeriodRef;
//! use accord_core::{Principal, Role};
//! use time::macros::datetime;
//!
//! let now = datetime!(2025-06-01 09:00 UTC);
//! let contributor = sample::member_user(2, "KAZ", Role::Contributor);
//! let admin = sample::member_user(3, "KAZ", Role::MemberAdmin);
//!
//! // A prison programme starts AMBER and unpublished.
//! let p = sample::sample();
//! assert_eq!(p.tlp, accord_core::tlp::Tlp::Amber);
//! assert!(!rules::visible_to(&p, &Principal::Anonymous));
//!
//! // A contributor drafts a result period; the administrator submits it.
//! let at = PeriodRef { result: 1, indicator: 0, period: 0 };
//! let actual = Some(accord_programmes::model::Measured::number(31.0));
//! let p = rules::edit_period(&p, &contributor, at, None, actual)?;
//! assert!(matches!(
//!     rules::submit_period(&p, &contributor, at, 2, now),
//!     Err(accord_programmes::error::ProgrammeError::RoleNotAllowed { .. })
//! ));
//! let p = rules::submit_period(&p, &admin, at, 2, now)?;
//!
//! // Charts and totals for the Joint Plan.
//! let step6 = accord_plan::CommitmentId::parse("astana2015.step.6")?;
//! let summary = aggregate::commitment_summary(&[p.clone()], &step6, &sample::secretariat(1), "en");
//! assert!(summary.sentence().starts_with("1 programme, 120 offenders enrolled"));
//! let series = aggregate::indicator_series(&p.results[0].indicators[0], "en", false);
//! let chart = svg::indicator_chart("enrolled", "Offenders enrolled", &series, &Default::default());
//! assert!(chart.starts_with("<svg") && !chart.contains("<script"));
//!
//! // IATI: only programmes flagged and marked TLP:CLEAR are written.
//! let config = iati::IatiConfig {
//!     reporting_org: OrgRef::parse("XM-ACCORD")?,
//!     reporting_org_type: OrgType::parse("40")?,
//!     reporting_org_name: Text::single("en", "Accord secretariat", 200)?,
//! };
//! assert!(iati::write_activities(&[(&p, now)], &config, now).is_err());
//! let public = sample::publishable();
//! let out = iati::write_activities(&[(&public, now)], &config, now)?;
//! assert!(out.xml.contains("<iati-identifier>XM-ACCORD-kaz-prison-2024</iati-identifier>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod aggregate;
pub mod codes;
pub mod csv;
pub mod error;
pub mod iati;
pub mod input;
pub mod model;
pub mod programme;
pub mod rules;
pub mod sample;
pub mod svg;

pub use error::{Code, Invalid, Problem, ProgrammeError};
pub use input::ProgrammeInput;
pub use programme::{Programme, ProgrammeData};
