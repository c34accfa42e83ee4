//! The one line after a reset that says where to go next: the sign-in URL (the pod spec's
//! `CODER_ACCESS_URL`) and the login to type there. Someone locked out needs both, and
//! neither is in Coder's own output.

use crate::coder::target::Generation;
use crate::text;

/// What the line is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignIn<'a> {
    pub url: Option<&'a str>,
    pub login: Login<'a>,
}

/// What to type in the login form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login<'a> {
    /// The email is known (v1 reset-password, create-admin-user).
    Email(&'a str),
    /// Coder v2 signs in by email, which `coder reset-password` does not print.
    EmailOf(&'a str),
    /// Coder v1's admin, by the name its reset printed.
    Username(&'a str),
    /// Nothing known.
    Unknown,
}

/// The login for an account: its email when known, else what the generation signs in with.
pub fn login<'a>(
    email: Option<&'a str>,
    username: Option<&'a str>,
    generation: Generation,
) -> Login<'a> {
    match (email, username, generation) {
        (Some(email), _, _) => Login::Email(email),
        (None, Some(name), Generation::V2) => Login::EmailOf(name),
        (None, Some(name), _) => Login::Username(name),
        (None, None, _) => Login::Unknown,
    }
}

/// `Next: sign in at https://coder.example.com with the email alice@example.com.`
pub fn line(sign_in: SignIn) -> String {
    let clean = |s: &str| text::sanitize_line(s).into_owned();
    let at = match sign_in.url {
        Some(url) => format!("at {}", clean(url)),
        // Said so that nobody looks for it in our output again.
        None => "to Coder (its URL is not in the pod spec)".to_string(),
    };
    let with = match sign_in.login {
        Login::Email(email) => format!(" with the email {}", clean(email)),
        Login::EmailOf(name) => format!(" with {}'s email, not the username", clean(name)),
        Login::Username(name) => format!(" as {}", clean(name)),
        Login::Unknown => String::new(),
    };
    format!("Next: sign in {at}{with}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_table() {
        let cases = [
            (
                Some("a@x.io"),
                Some("alice"),
                Generation::V2,
                Login::Email("a@x.io"),
            ),
            (
                Some("a@x.io"),
                Some("alice"),
                Generation::V1,
                Login::Email("a@x.io"),
            ),
            (None, Some("alice"), Generation::V2, Login::EmailOf("alice")),
            (
                None,
                Some("admin"),
                Generation::V1,
                Login::Username("admin"),
            ),
            (
                None,
                Some("admin"),
                Generation::V1Legacy,
                Login::Username("admin"),
            ),
            (None, None, Generation::V2, Login::Unknown),
        ];
        for (email, username, generation, want) in cases {
            assert_eq!(
                login(email, username, generation),
                want,
                "{email:?} {username:?}"
            );
        }
    }

    #[test]
    fn next_line_table() {
        let url = Some("https://coder.example.com");
        let cases = [
            (
                SignIn {
                    url,
                    login: Login::Email("alice@example.com"),
                },
                "Next: sign in at https://coder.example.com with the email alice@example.com.",
            ),
            (
                SignIn {
                    url,
                    login: Login::EmailOf("alice"),
                },
                "Next: sign in at https://coder.example.com with alice's email, not the username.",
            ),
            (
                SignIn {
                    url: None,
                    login: Login::Username("admin"),
                },
                "Next: sign in to Coder (its URL is not in the pod spec) as admin.",
            ),
            (
                SignIn {
                    url,
                    login: Login::Unknown,
                },
                "Next: sign in at https://coder.example.com.",
            ),
            // Names from the cluster are untrusted: escapes are made visible.
            (
                SignIn {
                    url,
                    login: Login::Username("ad\u{1b}[2Jmin"),
                },
                "Next: sign in at https://coder.example.com as ad^[[2Jmin.",
            ),
        ];
        for (sign_in, want) in cases {
            assert_eq!(line(sign_in), want, "{sign_in:?}");
        }
    }
}
