//! What a change will do, decided before anything changes: which command runs in the pod,
//! what it gets on stdin, what must be asked first, and what is refused. Pure: the driver
//! asks the questions and passes in the answers and the password.

use zeroize::Zeroizing;

use crate::cli::config::{Change, PasswordSource};
use crate::coder::action::Action;
use crate::coder::names::{Account, Email, Username};
use crate::coder::password::Secret;
use crate::coder::prompts::{Prompt, text_of};
use crate::coder::spec::{Database, PasswordLogin};
use crate::coder::target::{Generation, Target};
use crate::coder::{v1, v2};
use crate::exit_codes::ExitCode;
use crate::ui::problem::Problem;
use crate::ui::prompt::Confirmation;

/// What will run, and with which password.
#[derive(Debug)]
pub struct Plan {
    pub action: Action,
    pub generation: Generation,
    /// What is executed in the container: `command` (v1), or `command` through v2's
    /// `sh -c` wrapper (the database whatever the version, none of the container's account
    /// options).
    pub argv: Vec<String>,
    /// The Coder command as people say it (`/opt/coder reset-password alice`).
    pub command: Vec<String>,
    /// It runs against the pod's built-in PostgreSQL, through a shell.
    pub builtin_database: bool,
    /// The password we send (Coder v2); Coder v1 makes up its own.
    pub password: Option<NewPassword>,
    pub username: Option<Username>,
    pub email: Option<Email>,
}

/// A password we send, and where it came from.
#[derive(Debug)]
pub struct NewPassword {
    pub secret: Secret,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Made up by us: temporary, to be replaced by its user.
    Generated,
    /// Chosen by the user (`--password-stdin` or `--password-prompt`).
    Chosen,
}

/// Something only the user can tell, asked on a terminal before the plan is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// `reset-admin-password` on v2 without `--owner`.
    Owner,
    /// `create-admin-user` without `--username`.
    NewUsername,
    /// `create-admin-user` without `--email`.
    NewEmail,
}

impl Question {
    /// The prompt, and a note to show before it.
    pub fn prompt(self) -> (&'static str, Option<String>) {
        match self {
            Question::Owner => (
                "Owner username",
                Some(format!(
                    "{V2_OWNERS}.\nName the one whose password to reset; if you cannot name one, \
                     Ctrl-C and run `kubectl coder create-admin-user`."
                )),
            ),
            Question::NewUsername => ("Username of the new owner", None),
            Question::NewEmail => ("Email of the new owner", None),
        }
    }

    /// The refusal when there is no terminal to ask on.
    pub fn unanswerable(self) -> Problem {
        match self {
            Question::Owner => Problem::new(
                ExitCode::Usage,
                format!("{V2_OWNERS}: name the owner with --owner"),
                Some(
                    "if you cannot name an owner, `kubectl coder create-admin-user` adds a new one"
                        .to_string(),
                ),
            ),
            Question::NewUsername => needed_without_terminal("--username"),
            Question::NewEmail => needed_without_terminal("--email"),
        }
    }
}

fn needed_without_terminal(flag: &str) -> Problem {
    Problem::new(
        ExitCode::Usage,
        format!("{flag} is needed when there is no terminal to ask on"),
        None,
    )
}

/// What the user answered.
#[derive(Debug, Default)]
pub struct Answers {
    pub owner: Option<Username>,
    pub username: Option<Username>,
    pub email: Option<Email>,
}

const V2_OWNERS: &str = "Coder v2 has no single admin user: owners are users with the Owner role";

/// The refusal before any request when a change cannot be confirmed.
pub fn no_terminal_to_confirm() -> Problem {
    Problem::new(
        ExitCode::Usage,
        "refusing to change a password without confirmation: there is no terminal to ask on",
        Some("re-run with --yes to confirm, or --dry-run to see what would happen".to_string()),
    )
}

/// What must be asked before the plan can be made, in order.
pub fn questions(change: &Change, generation: Generation) -> Vec<Question> {
    if generation.is_v1() {
        return Vec::new();
    }
    match change {
        Change::ResetAdminPassword { owner: None, .. } => vec![Question::Owner],
        Change::CreateAdminUser {
            username, email, ..
        } => {
            let mut asked = Vec::new();
            if username.is_none() {
                asked.push(Question::NewUsername);
            }
            if email.is_none() {
                asked.push(Question::NewEmail);
            }
            asked
        }
        _ => Vec::new(),
    }
}

/// Decides the command. `chosen` is the password the user chose, if they did; `generate`
/// makes one up when they did not.
pub fn plan(
    change: &Change,
    target: &Target,
    answers: Answers,
    chosen: Option<Secret>,
    generate: &mut dyn FnMut() -> Secret,
) -> Result<Plan, Problem> {
    let generation = target.generation;
    let binary = target.spec.binary.as_str();
    let new_password = || match chosen {
        Some(secret) => NewPassword {
            secret,
            origin: Origin::Chosen,
        },
        None => NewPassword {
            secret: generate(),
            origin: Origin::Generated,
        },
    };
    // Coder v2 needs a database URL: without one in the spec, the built-in PostgreSQL's.
    let builtin_database = !generation.is_v1() && target.spec.database == Database::NotSet;
    let plan = |command: Vec<String>, password, username, email| Plan {
        action: change.action(),
        generation,
        argv: if generation.is_v1() {
            command.clone()
        } else {
            v2::wrapped(command.clone(), builtin_database)
        },
        command,
        builtin_database,
        password,
        username,
        email,
    };
    if generation.is_v1() {
        return match change {
            Change::ResetAdminPassword { owner, password } => {
                // Coder v1 has one admin and makes up its own temporary password: refuse
                // rather than silently ignore what the user asked for.
                let ignored = match (owner, password) {
                    (Some(_), _) => Some("--owner"),
                    (None, PasswordSource::Stdin) => Some("--password-stdin"),
                    (None, PasswordSource::Prompt) => Some("--password-prompt"),
                    (None, PasswordSource::Generate) => None,
                };
                match ignored {
                    Some(flag) => Err(Problem::new(
                        ExitCode::Usage,
                        format!("{flag} is for Coder v2, but pod {} runs {}", target.pod, generation.label()),
                        Some("Coder v1 resets its one admin, `admin`, to a temporary password it makes up: leave it out".to_string()),
                    )),
                    None => Ok(plan(v1::reset_admin_argv(binary), None, None, None)),
                }
            }
            // The driver sends v1's reset-password through coderd's API (`v1_user`) before
            // any plan is made: nothing runs in the pod for it.
            Change::ResetPassword { .. } => Err(Problem::new(
                ExitCode::Usage,
                "reset-password on Coder v1 is not a command in the pod: it goes through coderd's API",
                None,
            )),
            Change::CreateAdminUser { .. } => Err(Problem::new(
                ExitCode::Usage,
                format!(
                    "{} is for Coder v2, but pod {} runs {}",
                    change.action().as_str(),
                    target.pod,
                    generation.label()
                ),
                Some(
                    "Coder v1 has one site admin, created at install: reset its password with `kubectl coder reset-admin-password`, or another user's with `kubectl coder reset-password USER`"
                        .to_string(),
                ),
            )),
        };
    }
    match change {
        Change::ResetAdminPassword { owner, .. } => {
            let owner = owner
                .clone()
                .or(answers.owner)
                .ok_or_else(|| Question::Owner.unanswerable())?;
            Ok(plan(
                v2::reset_password_argv(binary, &owner),
                Some(new_password()),
                Some(owner),
                None,
            ))
        }
        Change::ResetPassword { user, .. } => {
            let username = match user {
                Account::Username(username) => username,
                Account::Email(email) => {
                    return Err(Problem::new(
                        ExitCode::Usage,
                        format!(
                            "Coder v2's reset-password takes a username, not an email ({email})",
                            email = email.as_str()
                        ),
                        Some("give the username; if you do not know it, `kubectl coder create-admin-user` adds an owner who can look it up".to_string()),
                    ));
                }
            };
            Ok(plan(
                v2::reset_password_argv(binary, username),
                Some(new_password()),
                Some(username.clone()),
                None,
            ))
        }
        Change::CreateAdminUser {
            username,
            email,
            allow_disabled_password_login,
            ..
        } => {
            if let PasswordLogin::Disabled(how) = &target.spec.password_login
                && !allow_disabled_password_login
            {
                return Err(Problem::new(
                    ExitCode::Usage,
                    format!(
                        "refusing to create an owner: pod {} has {how}, so Coder refuses every password login, owners included, and the new owner could not sign in",
                        target.pod
                    ),
                    Some("sign in through your identity provider instead; or remove that setting first (flag, environment or config file); to create the owner anyway, add --allow-disabled-password-login".to_string()),
                ));
            }
            let username = username
                .clone()
                .or(answers.username)
                .ok_or_else(|| Question::NewUsername.unanswerable())?;
            let email = email
                .clone()
                .or(answers.email)
                .ok_or_else(|| Question::NewEmail.unanswerable())?;
            Ok(plan(
                v2::create_admin_user_argv(binary, &username, &email),
                Some(new_password()),
                Some(username),
                Some(email),
            ))
        }
    }
}

/// What the user should know about the pod itself before trusting it with a password or a
/// token: a `--pod` that is not Ready, a pod no controller owns.
pub fn target_warnings(target: &Target) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(caution) = &target.caution {
        warnings.push(format!(
            "warning: pod {} is {caution}: running there anyway, as --pod asks",
            target.pod
        ));
    }
    if let Some(warning) = target.unowned_warning() {
        warnings.push(warning);
    }
    warnings
}

/// What the user should know before confirming, from the pod and its spec.
pub fn warnings(plan: &Plan, target: &Target) -> Vec<String> {
    let mut warnings = target_warnings(target);
    match &target.spec.password_login {
        PasswordLogin::Disabled(how) if plan.action != Action::CreateAdminUser => {
            warnings.push(format!(
                "warning: pod {} has {how}: Coder refuses every password login, owners included, so the new password cannot be used to sign in until that is removed",
                target.pod
            ));
        }
        PasswordLogin::Disabled(how) => warnings.push(format!(
            "warning: pod {} has {how}: the new owner cannot sign in with a password until that is removed (--allow-disabled-password-login)",
            target.pod
        )),
        PasswordLogin::Unknown(how) if !plan.generation.is_v1() => warnings.push(format!(
            "note: password login may be disabled ({how}); if it is, the new password cannot be used to sign in"
        )),
        _ => {}
    }
    if let Some(secret) = &target.spec.super_admin_password {
        warnings.push(format!(
            "warning: pod {} sets {secret}: a restart of coderd may set the admin password back to that secret",
            target.pod
        ));
    }
    warnings
}

impl Plan {
    /// The command as people say it: `coder reset-password alice` (even when the container
    /// calls it as `/opt/coder`).
    pub fn what(&self) -> String {
        let mut words: Vec<&str> = self.command.iter().take(3).map(String::as_str).collect();
        if let Some(first) = words.first_mut() {
            *first = first.rsplit('/').next().unwrap_or(first);
        }
        words.join(" ")
    }

    /// The prompts the password answers, in order (reset-password's, or create-admin-user's).
    pub fn prompts(&self) -> [Prompt; 2] {
        match self.action {
            Action::CreateAdminUser => [text_of::PASSWORD, text_of::CONFIRM_PASSWORD],
            Action::ResetAdminPassword | Action::ResetPassword => {
                [text_of::NEW_PASSWORD, text_of::CONFIRM]
            }
        }
    }

    /// The line typed at each prompt: the password.
    pub fn password_line(&self) -> Option<Zeroizing<Vec<u8>>> {
        self.password.as_ref().map(|p| v2::password_line(&p.secret))
    }

    /// `--dry-run`'s description of stdin: never the password.
    pub fn stdin_description(&self) -> Option<&'static str> {
        self.password.as_ref().map(|_| {
            "the new password and its confirmation, each typed when Coder asks for it (not shown)"
        })
    }

    /// The confirmation question, naming everything that identifies the change.
    pub fn confirmation(&self, target: &Target, context: Option<&str>) -> Confirmation {
        let who = match (&self.username, self.action) {
            (Some(u), Action::CreateAdminUser) => format!("Create owner {u}"),
            (Some(u), _) => format!("Reset the password of {u}"),
            (None, _) => format!("Reset the password of {}", v1::ADMIN_USER),
        };
        Confirmation {
            question: format!("{who} on {}?", target.generation.label()),
            details: vec![format!(
                "pod {}/{}, context {}",
                target.namespace,
                target.pod,
                context.unwrap_or("in-cluster"),
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::config::PasswordSource;

    fn target(generation: Generation) -> Target {
        Target::sample(generation)
    }

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    fn fixed() -> Secret {
        Secret::from("Generated-Pw-123".to_string())
    }

    /// The plan's command, password origin and username, or the refusal's exit and message.
    type Decided = Result<(Vec<String>, Option<Origin>, Option<String>), (ExitCode, String)>;

    fn decide(
        change: &Change,
        generation: Generation,
        answers: Answers,
        chosen: Option<&str>,
    ) -> Decided {
        plan(
            change,
            &target(generation),
            answers,
            chosen.map(|c| Secret::from(c.to_string())),
            &mut fixed,
        )
        .map(|p| {
            // v1 runs the command itself; v2 through its wrapper (tested below).
            let wrapped = v2::wrapped(p.command.clone(), p.builtin_database);
            assert_eq!(
                p.argv,
                if generation.is_v1() {
                    p.command.clone()
                } else {
                    wrapped
                }
            );
            (
                p.command.clone(),
                p.password.as_ref().map(|n| n.origin),
                p.username.as_ref().map(|u| u.to_string()),
            )
        })
        .map_err(|p| (p.exit, p.message))
    }

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn plan_table() {
        use Generation::{V1, V1Legacy, V2};
        let reset_admin = Change::ResetAdminPassword {
            owner: None,
            password: PasswordSource::Generate,
        };
        let reset_admin_owner = Change::ResetAdminPassword {
            owner: Some(user("root")),
            password: PasswordSource::Generate,
        };
        let reset_admin_stdin = Change::ResetAdminPassword {
            owner: None,
            password: PasswordSource::Stdin,
        };
        let reset_alice = Change::ResetPassword {
            user: Account::Username(user("alice")),
            password: PasswordSource::Generate,
        };
        let reset_by_email = Change::ResetPassword {
            user: Account::Email(Email::parse("alice@example.com").unwrap()),
            password: PasswordSource::Generate,
        };
        let reset_alice_stdin = Change::ResetPassword {
            user: Account::Username(user("alice")),
            password: PasswordSource::Stdin,
        };
        let create = Change::CreateAdminUser {
            username: Some(user("carol")),
            email: Some(Email::parse("carol@example.com").unwrap()),
            password: PasswordSource::Generate,
            allow_disabled_password_login: false,
        };
        let create_unnamed = Change::CreateAdminUser {
            username: None,
            email: None,
            password: PasswordSource::Generate,
            allow_disabled_password_login: false,
        };
        let answered = || Answers {
            owner: Some(user("root")),
            username: Some(user("dave")),
            email: Some(Email::parse("dave@example.com").unwrap()),
        };
        type Want = Decided;
        let ok = |words: &[&str], origin: Option<Origin>, name: Option<&str>| -> Want {
            Ok((argv(words), origin, name.map(str::to_string)))
        };
        let refused = |exit: ExitCode, message: &str| -> Want { Err((exit, message.to_string())) };
        type Row<'a> = (
            &'a str,
            &'a Change,
            Generation,
            Answers,
            Option<&'a str>,
            Want,
        );
        let table: Vec<Row> = vec![
            (
                "v1 admin: coderd's own command, no password sent",
                &reset_admin,
                V1,
                Answers::default(),
                None,
                ok(&["coderd", "reset-admin-password"], None, None),
            ),
            (
                "legacy v1 admin",
                &reset_admin,
                V1Legacy,
                Answers::default(),
                None,
                ok(&["cemanager", "reset-admin-password"], None, None),
            ),
            (
                "v1 refuses --owner",
                &reset_admin_owner,
                V1,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "--owner is for Coder v2, but pod pod-1 runs Coder v1",
                ),
            ),
            (
                "v1 refuses --password-stdin",
                &reset_admin_stdin,
                V1,
                Answers::default(),
                Some("Chosen-Pw-123!"),
                refused(
                    ExitCode::Usage,
                    "--password-stdin is for Coder v2, but pod pod-1 runs Coder v1",
                ),
            ),
            (
                "v1 reset-password is coderd's API, not a command in the pod",
                &reset_alice,
                V1,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "reset-password on Coder v1 is not a command in the pod: it goes through coderd's API",
                ),
            ),
            (
                "v2 reset-password takes a username, not an email",
                &reset_by_email,
                V2,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "Coder v2's reset-password takes a username, not an email (alice@example.com)",
                ),
            ),
            (
                "v1 create-admin-user does not exist",
                &create,
                V1,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "create-admin-user is for Coder v2, but pod pod-1 runs Coder v1",
                ),
            ),
            (
                "v2 admin needs an owner",
                &reset_admin,
                V2,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "Coder v2 has no single admin user: owners are users with the Owner role: name the owner with --owner",
                ),
            ),
            (
                "v2 admin with the owner answered",
                &reset_admin,
                V2,
                answered(),
                None,
                ok(
                    &["coder", "reset-password", "root"],
                    Some(Origin::Generated),
                    Some("root"),
                ),
            ),
            (
                "v2 admin with --owner",
                &reset_admin_owner,
                V2,
                Answers::default(),
                None,
                ok(
                    &["coder", "reset-password", "root"],
                    Some(Origin::Generated),
                    Some("root"),
                ),
            ),
            (
                "v2 user, generated",
                &reset_alice,
                V2,
                Answers::default(),
                None,
                ok(
                    &["coder", "reset-password", "alice"],
                    Some(Origin::Generated),
                    Some("alice"),
                ),
            ),
            (
                "v2 user, chosen",
                &reset_alice_stdin,
                V2,
                Answers::default(),
                Some("Chosen-Pw-123!"),
                ok(
                    &["coder", "reset-password", "alice"],
                    Some(Origin::Chosen),
                    Some("alice"),
                ),
            ),
            (
                "v2 create with names",
                &create,
                V2,
                Answers::default(),
                None,
                ok(
                    &[
                        "coder",
                        "server",
                        "create-admin-user",
                        "--username",
                        "carol",
                        "--email",
                        "carol@example.com",
                    ],
                    Some(Origin::Generated),
                    Some("carol"),
                ),
            ),
            (
                "v2 create with answers",
                &create_unnamed,
                V2,
                answered(),
                None,
                ok(
                    &[
                        "coder",
                        "server",
                        "create-admin-user",
                        "--username",
                        "dave",
                        "--email",
                        "dave@example.com",
                    ],
                    Some(Origin::Generated),
                    Some("dave"),
                ),
            ),
            (
                "v2 create without a terminal's answers",
                &create_unnamed,
                V2,
                Answers::default(),
                None,
                refused(
                    ExitCode::Usage,
                    "--username is needed when there is no terminal to ask on",
                ),
            ),
        ];
        for (what, change, generation, answers, chosen, want) in table {
            assert_eq!(decide(change, generation, answers, chosen), want, "{what}");
        }
    }

    #[test]
    fn questions_table() {
        use Generation::{V1, V2};
        let none = Change::CreateAdminUser {
            username: None,
            email: None,
            password: PasswordSource::Generate,
            allow_disabled_password_login: false,
        };
        let owner = Change::ResetAdminPassword {
            owner: None,
            password: PasswordSource::Generate,
        };
        assert_eq!(
            questions(&none, V2),
            [Question::NewUsername, Question::NewEmail]
        );
        assert_eq!(questions(&owner, V2), [Question::Owner]);
        // v1 asks nothing: the plan refuses or runs coderd's own command.
        assert_eq!(questions(&none, V1), []);
        assert_eq!(questions(&owner, V1), []);
    }

    /// Coder v2 with no database URL in the spec runs on the built-in PostgreSQL: its reset
    /// needs that database's URL (the wrapper asks `coder server postgres-builtin-url`). A
    /// URL from `env` or `envFrom`, or Coder v1, never.
    #[test]
    fn the_built_in_database_only_for_v2_without_a_url() {
        let change = Change::ResetPassword {
            user: Account::Username(user("alice")),
            password: PasswordSource::Generate,
        };
        for (generation, database, builtin) in [
            (Generation::V2, Database::NotSet, true),
            (Generation::V2, Database::External("env".into()), false),
            (
                Generation::V2,
                Database::MaybeEnvFrom("secret".into()),
                false,
            ),
            (Generation::V1, Database::NotSet, false),
            (Generation::V1Legacy, Database::NotSet, false),
        ] {
            let mut target = target(generation);
            target.spec.database = database.clone();
            let made = plan(&change, &target, Answers::default(), None, &mut fixed);
            let Ok(made) = made else {
                // v1 resets other users through coderd's API: no exec plan to wrap.
                assert!(generation.is_v1(), "{generation:?} {database:?}");
                continue;
            };
            assert_eq!(
                made.builtin_database, builtin,
                "{generation:?} {database:?}"
            );
            assert_eq!(
                made.argv.join(" ").contains("postgres-builtin-url"),
                builtin,
                "{generation:?} {database:?}: {:?}",
                made.argv
            );
        }
    }

    /// What is said before the confirmation, from the pod and its spec, for each action.
    #[test]
    fn warnings_table() {
        let reset = Change::ResetPassword {
            user: Account::Username(user("alice")),
            password: PasswordSource::Generate,
        };
        let create = Change::CreateAdminUser {
            username: Some(user("frank")),
            email: Some(Email::parse("frank@example.com").unwrap()),
            password: PasswordSource::Generate,
            allow_disabled_password_login: true,
        };
        let v1_admin = Change::ResetAdminPassword {
            owner: None,
            password: PasswordSource::Generate,
        };
        let disabled =
            PasswordLogin::Disabled("--disable-password-auth in the container's args".into());
        let unknown = PasswordLogin::Unknown("the config file could not be read".into());
        type Setup = fn(&mut Target);
        let as_is: Setup = |_| {};
        let unready: Setup = |t| t.caution = Some("not Ready".into());
        let unowned: Setup = |t| t.controller = None;
        let secret: Setup = |t| {
            t.spec.super_admin_password =
                Some("CODER_SUPER_ADMIN_PASSWORD (from secret s, key k)".into())
        };
        type Row<'a> = (
            &'a str,
            &'a Change,
            Generation,
            PasswordLogin,
            Setup,
            Vec<&'a str>,
        );
        let table: Vec<Row> = vec![
            (
                "nothing to say",
                &reset,
                Generation::V2,
                PasswordLogin::Enabled,
                as_is,
                vec![],
            ),
            (
                "--pod not Ready",
                &reset,
                Generation::V2,
                PasswordLogin::Enabled,
                unready,
                vec!["warning: pod pod-1 is not Ready: running there anyway, as --pod asks"],
            ),
            (
                "no controller",
                &reset,
                Generation::V2,
                PasswordLogin::Enabled,
                unowned,
                vec![
                    "warning: pod pod-1 is not managed by a ReplicaSet or StatefulSet (no controller owner): make sure it is the real Coder server before trusting it with a password",
                ],
            ),
            (
                "reset, login disabled",
                &reset,
                Generation::V2,
                disabled.clone(),
                as_is,
                vec![
                    "warning: pod pod-1 has --disable-password-auth in the container's args: Coder refuses every password login, owners included, so the new password cannot be used to sign in until that is removed",
                ],
            ),
            (
                "create, login disabled",
                &create,
                Generation::V2,
                disabled.clone(),
                as_is,
                vec![
                    "warning: pod pod-1 has --disable-password-auth in the container's args: the new owner cannot sign in with a password until that is removed (--allow-disabled-password-login)",
                ],
            ),
            (
                "v2, login maybe disabled",
                &reset,
                Generation::V2,
                unknown.clone(),
                as_is,
                vec![
                    "note: password login may be disabled (the config file could not be read); if it is, the new password cannot be used to sign in",
                ],
            ),
            // Coder v1 has no such setting: nothing to say when it is unknown.
            (
                "v1, unknown",
                &v1_admin,
                Generation::V1,
                unknown,
                as_is,
                vec![],
            ),
            (
                "v1, super admin secret",
                &v1_admin,
                Generation::V1,
                PasswordLogin::Enabled,
                secret,
                vec![
                    "warning: pod pod-1 sets CODER_SUPER_ADMIN_PASSWORD (from secret s, key k): a restart of coderd may set the admin password back to that secret",
                ],
            ),
        ];
        for (what, change, generation, login, setup, want) in table {
            let mut t = target(generation);
            t.spec.password_login = login;
            setup(&mut t);
            let made = plan(change, &t, Answers::default(), None, &mut fixed).expect(what);
            assert_eq!(warnings(&made, &t), want, "{what}");
        }
    }

    /// What each question asks, and the note shown before it.
    #[test]
    fn question_prompts() {
        assert_eq!(
            Question::NewUsername.prompt(),
            ("Username of the new owner", None)
        );
        assert_eq!(
            Question::NewEmail.prompt(),
            ("Email of the new owner", None)
        );
        let (owner, note) = Question::Owner.prompt();
        assert_eq!(owner, "Owner username");
        let note = note.expect("a note before the owner prompt");
        assert!(note.starts_with(V2_OWNERS), "{note}");
        assert!(
            note.ends_with("Ctrl-C and run `kubectl coder create-admin-user`."),
            "{note}"
        );
    }

    #[test]
    fn the_password_travels_on_stdin_only() {
        let change = Change::ResetPassword {
            user: Account::Username(user("alice")),
            password: PasswordSource::Generate,
        };
        let p = plan(
            &change,
            &target(Generation::V2),
            Answers::default(),
            None,
            &mut fixed,
        )
        .unwrap();
        assert!(!p.argv.iter().any(|w| w.contains("Generated-Pw-123")));
        assert_eq!(p.password_line().unwrap().as_slice(), b"Generated-Pw-123\n");
        assert_eq!(p.prompts(), [text_of::NEW_PASSWORD, text_of::CONFIRM]);
        // --dry-run says what stdin will carry, never the password itself.
        assert_eq!(
            p.stdin_description(),
            Some(
                "the new password and its confirmation, each typed when Coder asks for it (not shown)"
            )
        );
        assert_eq!(
            p.confirmation(&target(Generation::V2), Some("prod")),
            Confirmation {
                question: "Reset the password of alice on Coder v2?".into(),
                details: vec!["pod coder/pod-1, context prod".into()],
            }
        );
    }
}
