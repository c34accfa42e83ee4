//! The changes the plugin can make in Coder.

/// A change to a Coder user, named as the subcommand that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    ResetAdminPassword,
    ResetPassword,
    CreateAdminUser,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ResetAdminPassword => "reset-admin-password",
            Action::ResetPassword => "reset-password",
            Action::CreateAdminUser => "create-admin-user",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_names_are_the_subcommands() {
        for action in [
            Action::ResetAdminPassword,
            Action::ResetPassword,
            Action::CreateAdminUser,
        ] {
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.as_str().into())
            );
        }
    }
}
