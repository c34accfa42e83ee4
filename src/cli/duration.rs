//! kubectl's duration syntax for `--request-timeout` and `--timeout`.

use std::time::Duration;

/// kubectl's duration syntax: "0" means no limit, a bare number is seconds, otherwise Go's
/// `time.ParseDuration` units (h, m, s, ms) in any combination such as "1m30s", read by jiff's
/// "friendly" duration parser (already in the tree through kube), which accepts those and a
/// few spellings more ("1m 30s", "90 seconds").
/// Zero (no limit) comes back as `Duration::ZERO`; see [`limit`].
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return checked(Duration::from_secs(seconds), text);
    }
    // jiff reads a leading minus (and "ago") as a negative duration: not a limit.
    if text.starts_with('-') {
        return Err(format!("invalid duration {text:?}: it cannot be negative"));
    }
    let parsed: jiff::SignedDuration = text.parse().map_err(|_| {
        format!(
            "invalid duration {text:?}: use a number and a unit (h, m, s or ms), as in 90s or 1m30s"
        )
    })?;
    let duration = Duration::try_from(parsed)
        .map_err(|_| format!("invalid duration {text:?}: it cannot be negative"))?;
    checked(duration, text)
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
            ("1.5h", Some(Duration::from_secs(5400))),
            ("2m 30s", Some(Duration::from_secs(150))),
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
            "5s ago",
            "1h1h",
            "1d",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
