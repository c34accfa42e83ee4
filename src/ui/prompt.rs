//! Questions on the terminal (stderr for the question, stdin for the answer). Callers ask
//! only when [`crate::ui::terminal::Terminal::can_prompt`] says both are terminals.

use crate::coder::names::{Email, Username};

/// A Coder username, asked until it is valid.
pub fn username(prompt: &str) -> anyhow::Result<Username> {
    let text: String = dialoguer::Input::new()
        .with_prompt(prompt)
        .validate_with(|s: &String| Username::parse(s).map(|_| ()).map_err(|e| e.to_string()))
        .interact_text()?;
    Ok(Username::parse(&text)?)
}

/// An email address, asked until it is plausible.
pub fn email(prompt: &str) -> anyhow::Result<Email> {
    let text: String = dialoguer::Input::new()
        .with_prompt(prompt)
        .validate_with(|s: &String| Email::parse(s).map(|_| ()).map_err(|e| e.to_string()))
        .interact_text()?;
    Ok(Email::parse(&text)?)
}

/// Yes or no, "no" by default.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    Ok(dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_opt()?
        .unwrap_or(false))
}

/// A new password typed twice, hidden.
pub fn new_password() -> anyhow::Result<String> {
    Ok(dialoguer::Password::new()
        .with_prompt("New password")
        .with_confirmation("Confirm password", "The passwords do not match, try again")
        .interact()?)
}
