//! Exact's rate limits per division: so many calls a minute and a day,
//! announced on every answer as `X-RateLimit-Limit/-Remaining/-Reset`
//! (daily) and `X-RateLimit-Minutely-Limit/-Remaining/-Reset`; when the
//! minutely limit is exhausted, only the minutely headers come, with a 429.
//! Resets are Unix times in milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};

use super::ExactConfig;

/// Calls counted in the current minute and day windows.
#[derive(Debug, Default)]
pub struct Limits {
    minute_start: u64,
    minute_calls: u32,
    day_start: u64,
    day_calls: u32,
}

/// The outcome of counting one call.
pub enum Admission {
    /// Go ahead; put these headers on the answer.
    Admitted(HeaderMap),
    /// 429 with these headers.
    Refused(HeaderMap),
}

fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn put(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(name, HeaderValue::from(value));
}

impl Limits {
    fn roll(&mut self, config: &ExactConfig, now: u64) {
        if now >= self.minute_start + ms(config.minute) {
            self.minute_start = now;
            self.minute_calls = 0;
        }
        if now >= self.day_start + ms(config.day) {
            self.day_start = now;
            self.day_calls = 0;
        }
    }

    fn minutely(&self, config: &ExactConfig, headers: &mut HeaderMap) {
        let limit = config.minutely_limit;
        put(headers, "X-RateLimit-Minutely-Limit", limit.into());
        put(
            headers,
            "X-RateLimit-Minutely-Remaining",
            limit.saturating_sub(self.minute_calls).into(),
        );
        put(
            headers,
            "X-RateLimit-Minutely-Reset",
            self.minute_start + ms(config.minute),
        );
    }

    fn daily(&self, config: &ExactConfig, headers: &mut HeaderMap) {
        let limit = config.daily_limit;
        put(headers, "X-RateLimit-Limit", limit.into());
        put(
            headers,
            "X-RateLimit-Remaining",
            limit.saturating_sub(self.day_calls).into(),
        );
        put(
            headers,
            "X-RateLimit-Reset",
            self.day_start + ms(config.day),
        );
    }

    /// Counts one call (or refuses it).
    pub fn admit(&mut self, config: &ExactConfig) -> Admission {
        let now = now_ms();
        self.roll(config, now);
        let mut headers = HeaderMap::new();
        if self.day_calls >= config.daily_limit {
            self.daily(config, &mut headers);
            return Admission::Refused(headers);
        }
        if self.minute_calls >= config.minutely_limit {
            self.minutely(config, &mut headers);
            return Admission::Refused(headers);
        }
        self.minute_calls += 1;
        self.day_calls += 1;
        self.daily(config, &mut headers);
        self.minutely(config, &mut headers);
        Admission::Admitted(headers)
    }

    /// A 429 as if the minutely limit were spent (the `RateLimited` fault):
    /// the rest of this minute is used up.
    pub fn exhaust_minute(&mut self, config: &ExactConfig) -> HeaderMap {
        let now = now_ms();
        self.roll(config, now);
        self.minute_calls = config.minutely_limit;
        let mut headers = HeaderMap::new();
        self.minutely(config, &mut headers);
        headers
    }
}
