//! kubectl's duration syntax for `--request-timeout` and `--timeout`.

use std::time::Duration;

/// kubectl's duration syntax: "0" means no limit, a bare number is seconds, otherwise Go's
/// `time.ParseDuration` units (h, m, s, ms) in any combination such as "1m30s".
/// Zero (no limit) comes back as `Duration::ZERO`; see [`limit`].
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return checked(Duration::from_secs(seconds), text);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "invalid duration {text:?}: expected a number before {rest:?}"
            ));
        }
        let number: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("invalid duration {text:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "" => {
                return Err(format!(
                    "invalid duration {text:?}: missing unit (h, m, s or ms)"
                ));
            }
            unit => return Err(format!("invalid duration {text:?}: unknown unit {unit:?}")),
        };
        rest = &rest[unit_len..];
        let part = Duration::try_from_secs_f64(number * seconds_per_unit)
            .map_err(|_| format!("invalid duration {text:?}: too large"))?;
        total = checked(total.saturating_add(part), text)?;
    }
    Ok(total)
}

/// Longer limits are surely typos, and would overflow the clock arithmetic.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

fn checked(duration: Duration, text: &str) -> Result<Duration, String> {
    if duration > MAX_DURATION {
        Err(format!(
            "invalid duration {text:?}: at most a year (0 means no limit)"
        ))
    } else {
        Ok(duration)
    }
}

/// A parsed duration as a limit: zero means none.
pub fn limit(duration: Duration) -> Option<Duration> {
    (!duration.is_zero()).then_some(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_kubectl() {
        let table: &[(&str, Option<Duration>)] = &[
            ("0", None),
            ("30", Some(Duration::from_secs(30))),
            ("30s", Some(Duration::from_secs(30))),
            ("1m30s", Some(Duration::from_secs(90))),
            ("500ms", Some(Duration::from_millis(500))),
            ("2h", Some(Duration::from_secs(7200))),
            ("0s", None),
        ];
        for (text, want) in table {
            assert_eq!(limit(parse(text).unwrap()), *want, "{text}");
        }
        for bad in [
            "",
            "s",
            "10x",
            "-1s",
            "1.2.3s",
            "99999999999999999999s",
            "18000000000000000000",
            "9000h",
            "8784h1s",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
