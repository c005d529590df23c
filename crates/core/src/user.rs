//! Accounts: who a user is, which member they act for and in what role.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::member::{MemberCode, MemberKind};
use crate::validation::Invalid;

/// A user's role. Every role but the secretariat's is held for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads what the member may read.
    Reader,
    /// Drafts and edits the member's material.
    Contributor,
    /// Manages the member's focal points and users, submits for the member.
    MemberAdmin,
    /// Runs the platform: members, users, procedures. Platform-wide.
    SecretariatAdmin,
    /// Reviews delisting petitions independently of the states and
    /// recommends. Platform-wide, acts for no member.
    Ombudsperson,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Contributor,
        Role::MemberAdmin,
        Role::SecretariatAdmin,
        Role::Ombudsperson,
    ];

    /// Roles held for the whole platform rather than for one member.
    pub fn is_platform_wide(self) -> bool {
        matches!(self, Role::SecretariatAdmin | Role::Ombudsperson)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Contributor => "contributor",
            Role::MemberAdmin => "member_admin",
            Role::SecretariatAdmin => "secretariat_admin",
            Role::Ombudsperson => "ombudsperson",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Role, Invalid> {
        let s = s.trim().replace('-', "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                Invalid::field(
                    "role",
                    "must be reader, contributor, member_admin, secretariat_admin or ombudsperson",
                )
            })
    }
}

/// A login name: lower-case letters, digits, dots, hyphens and underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, Invalid> {
        let u = raw.trim().to_lowercase();
        let ok_chars = u.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '@')
        });
        if !(2..=64).contains(&u.len()) || !ok_chars {
            return Err(Invalid::field(
                "username",
                "must be 2 to 64 characters: letters, digits, '.', '-', '_' or '@'",
            ));
        }
        Ok(Username(u))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Username::parse(&s)
    }
}

impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Passwords must be long rather than complicated (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounded so that hashing cannot be used to exhaust the server.
pub const MAX_PASSWORD_CHARS: usize = 256;

pub fn check_password(password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Invalid::field(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Invalid::field(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A user account as the rest of the system sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: Username,
    pub display_name: String,
    pub member: Option<MemberCode>,
    /// The kind of `member` (joined in by the store).
    pub member_kind: Option<MemberKind>,
    pub role: Role,
    pub disabled: bool,
    pub must_change_password: bool,
}

/// A validated account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub member: Option<MemberCode>,
    pub role: Role,
}

impl NewUser {
    /// Everyone but the secretariat acts for a member.
    pub fn parse(
        username: &str,
        display_name: &str,
        member: &str,
        role: &str,
    ) -> Result<NewUser, Invalid> {
        let mut c = crate::validation::Collector::default();
        let username = c.check(Username::parse(username));
        let display_name = c.check(crate::validation::name(
            "display_name",
            display_name,
            true,
            120,
        ));
        let member = if member.trim().is_empty() {
            Some(None)
        } else {
            c.check(
                MemberCode::parse(member)
                    .map_err(|_| Invalid::field("member", "is not a valid member code")),
            )
            .map(Some)
        };
        let role = c.check(role.parse::<Role>());
        match (&member, role) {
            (Some(None), Some(r)) if !r.is_platform_wide() => c.push(
                "member",
                "is required for every role but secretariat_admin and ombudsperson",
            ),
            // A platform-wide role acts for no member: naming one would let a
            // member's administrator believe they may grant it.
            (Some(Some(_)), Some(r)) if r.is_platform_wide() => c.push(
                "member",
                "must be empty for secretariat_admin and ombudsperson, which act for no member",
            ),
            _ => {}
        }
        c.finish()?;
        Ok(NewUser {
            username: username.expect("checked"),
            display_name: display_name.expect("checked"),
            member: member.expect("checked"),
            role: role.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_restricted() {
        assert_eq!(Username::parse("KAZ.Admin").unwrap().as_str(), "kaz.admin");
        assert!(Username::parse("a b").is_err());
        assert!(Username::parse("x").is_err());
        // Letters only from ASCII: nothing invisible gets into a login name.
        assert!(Username::parse("kaz\u{200B}.admin").is_err());
        assert!(Username::parse("\u{202E}nimda.zak").is_err());
    }

    #[test]
    fn display_names_with_hidden_characters_are_refused() {
        let e = NewUser::parse("ann", "Ann\u{202E}", "KAZ", "reader").unwrap_err();
        assert_eq!(e.errors[0].field, "display_name");
    }

    #[test]
    fn roles_accept_hyphen_or_underscore() {
        assert_eq!("member-admin".parse::<Role>().unwrap(), Role::MemberAdmin);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough phrase").is_ok());
    }

    #[test]
    fn non_secretariat_users_need_a_member() {
        let e = NewUser::parse("ann", "Ann", "", "reader").unwrap_err();
        assert_eq!(e.errors[0].field, "member");
        assert!(NewUser::parse("sec", "Sec", "", "secretariat_admin").is_ok());
    }

    #[test]
    fn platform_wide_roles_act_for_no_member() {
        for role in ["ombudsperson", "secretariat_admin"] {
            let e = NewUser::parse("x.y", "X", "KAZ", role).unwrap_err();
            assert_eq!(e.errors[0].field, "member", "{role}");
        }
    }
}
