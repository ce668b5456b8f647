//! How long to wait before trying the service again: exponential backoff
//! with jitter, or what the service asks for in `Retry-After`.
//!
//! `Retry-After` comes as seconds (`120`, what OpenAI sends) or as an
//! HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, what proxies and gateways in
//! front of a model server may send); RFC 9110 § 10.2.3 asks recipients to
//! accept both, and § 5.6.7 the two obsolete date forms too.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Exponential backoff with up to 25 % jitter, capped at `max`.
pub fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(max);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = capped.mul_f64(f64::from(nanos % 250) / 1000.0);
    (capped + jitter).min(max)
}

/// The wait a response's `Retry-After` asks for, counted from `now`; a
/// date in the past asks for no wait. `None` without a readable header.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Some(secs) = value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        return Some(Duration::from_secs_f64(secs));
    }
    let at = http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// An HTTP-date in any of its three forms (always GMT).
pub fn http_date(text: &str) -> Option<DateTime<Utc>> {
    const FORMATS: &[&str] = &[
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "%a, %d %b %Y %H:%M:%S GMT",
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        "%A, %d-%b-%y %H:%M:%S GMT",
        // asctime: Sun Nov  6 08:49:37 1994
        "%a %b %e %H:%M:%S %Y",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
        .map(|t| t.and_utc())
}

/// `at` as an IMF-fixdate, the form servers send.
pub fn format_http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        let first = backoff(base, max, 1);
        assert!(first >= base && first <= base.mul_f64(1.25), "{first:?}");
        let third = backoff(base, max, 3);
        assert!(
            third >= base * 4 && third <= (base * 4).mul_f64(1.25),
            "{third:?}"
        );
        assert_eq!(backoff(base, max, 30), max);
    }

    fn headers(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_as_a_date() {
        let now = http_date("Wed, 21 Oct 2015 07:28:00 GMT").expect("date");
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
        assert_eq!(
            retry_after(&headers("2"), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&headers("0.5"), now),
            Some(Duration::from_millis(500))
        );
        let later = headers("Wed, 21 Oct 2015 07:28:30 GMT");
        assert_eq!(retry_after(&later, now), Some(Duration::from_secs(30)));
        let past = headers("Wed, 21 Oct 2015 07:27:00 GMT");
        assert_eq!(retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
    }

    #[test]
    fn all_three_http_date_forms_are_read() {
        let expected = http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("IMF-fixdate");
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(expected));
        assert_eq!(http_date("Sun Nov  6 08:49:37 1994"), Some(expected));
        assert_eq!(format_http_date(expected), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
