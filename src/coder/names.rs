//! Coder v2's user names and emails, checked by Coder's rules before we touch the cluster.

use std::fmt;

/// A username that satisfies codersdk/name.go: 1 to 32 characters matching
/// `^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`, and not a reserved word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// An email address plausible enough to hand to Coder, which validates it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(
        "username {0:?} is not valid for Coder: use 1-32 letters, digits and single hyphens, not at the start or end"
    )]
    Username(String),
    #[error("username {0:?} is reserved by Coder: choose another")]
    ReservedUsername(String),
    #[error("email {0:?} is not valid: expected something like name@example.com")]
    Email(String),
}

impl Username {
    pub fn parse(text: &str) -> Result<Username, InputError> {
        let well_formed = (1..=32).contains(&text.len())
            && text
                .split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(InputError::Username(text.to_string()));
        }
        if matches!(text, "new" | "create") {
            return Err(InputError::ReservedUsername(text.to_string()));
        }
        Ok(Username(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Email {
    pub fn parse(text: &str) -> Result<Email, InputError> {
        let ok = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !text.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if ok {
            Ok(Email(text.to_string()))
        } else {
            Err(InputError::Email(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account named by its username or by its email (Coder v1 finds either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Username(Username),
    Email(Email),
}

impl Account {
    /// An email when it has an `@`, else a username.
    pub fn parse(text: &str) -> Result<Account, InputError> {
        if text.contains('@') {
            Email::parse(text).map(Account::Email)
        } else {
            Username::parse(text).map(Account::Username)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Account::Username(u) => u.as_str(),
            Account::Email(e) => e.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_table() {
        let table = [
            ("alice", true),
            ("Alice-Smith-2", true),
            ("a", true),
            (&"a".repeat(32), true),
            (&"a".repeat(33), false),
            ("", false),
            ("-alice", false),
            ("alice-", false),
            ("al--ice", false),
            ("al_ice", false),
            ("al ice", false),
            ("álice", false),
            ("new", false),
            ("create", false),
            ("New", true),
        ];
        for (name, valid) in table {
            assert_eq!(Username::parse(name).is_ok(), valid, "{name:?}");
        }
    }

    #[test]
    fn emails_table() {
        for good in ["a@b.co", "first.last+tag@example.com"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.d", "a@b@c.d", "a@.b", "a@b.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accounts_are_emails_with_an_at_sign() {
        assert_eq!(
            Account::parse("alice"),
            Ok(Account::Username(Username::parse("alice").unwrap()))
        );
        assert_eq!(
            Account::parse("Alice@Example.com"),
            Ok(Account::Email(Email::parse("Alice@Example.com").unwrap()))
        );
        assert_eq!(
            Account::parse("al ice"),
            Err(InputError::Username("al ice".into()))
        );
        assert_eq!(Account::parse("a@b"), Err(InputError::Email("a@b".into())));
    }

    #[test]
    fn an_account_is_shown_as_given() {
        for text in ["alice", "Alice@Example.com"] {
            assert_eq!(Account::parse(text).unwrap().as_str(), text);
        }
    }
}
