//! Check-digit arithmetic shared by the country rules (weighted sums, Luhn,
//! ISO 7064 MOD 11,10) and the wording of their complaints, so that every
//! country reports a malformed body the same way.

/// What a rule returns: the normalised body, or the reason it is invalid.
pub(super) type Outcome = Result<String, String>;

/// The reason given for every check-digit failure, whatever the algorithm.
pub(super) const MISMATCH: &str = "check digit does not match";

/// Requires `body` to be only digits, of one of the `lengths`.
pub(super) fn expect_digits(
    cc: &str,
    after: &str,
    body: &str,
    lengths: &[usize],
) -> Result<(), String> {
    if let Some(c) = body.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "{cc} VAT ids have only digits after {after}, found {c:?}"
        ));
    }
    if !lengths.contains(&body.len()) {
        return Err(format!(
            "{cc} VAT ids have {} digits after {after}, found {}",
            describe(lengths),
            body.len()
        ));
    }
    Ok(())
}

/// `[9]` → "9", `[9, 12]` → "9 or 12", `[2, …, 10]` → "2 to 10".
fn describe(lengths: &[usize]) -> String {
    match lengths {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last] if lengths.len() > 3 => format!("{first} to {last}"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(ToString::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}

/// Rejects a leading 0, which these registers never issue.
pub(super) fn require_nonzero_start(cc: &str, body: &str) -> Result<(), String> {
    if body.starts_with('0') {
        return Err(format!("{cc} VAT ids do not start with 0 after {cc}"));
    }
    Ok(())
}

/// The digits of an all-digit string.
pub(super) fn digits(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// Σ digit × weight, pairing from the left.
pub(super) fn weighted(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// The value of an all-digit string of at most 19 digits.
pub(super) fn number(s: &str) -> u64 {
    s.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

/// Whether `s` (check digit last) passes the Luhn test.
pub(super) fn luhn_ok(s: &str) -> bool {
    luhn_sum(s).is_multiple_of(10)
}

/// The Luhn sum, doubling every second digit from the right, starting with
/// the second-to-last.
pub(super) fn luhn_sum(s: &str) -> u32 {
    digits(s)
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                (2 * d) / 10 + (2 * d) % 10
            } else {
                d
            }
        })
        .sum()
}

/// ISO 7064 MOD 11,10 over `s` with its check digit last (DE, HR).
pub(super) fn mod11_10_ok(s: &str) -> bool {
    let ds = digits(s);
    let Some((&check, payload)) = ds.split_last() else {
        return false;
    };
    let product = payload.iter().fold(10, |product, d| {
        let sum = match (d + product) % 10 {
            0 => 10,
            sum => sum,
        };
        (2 * sum) % 11
    });
    (11 - product) % 10 == check
}

/// The usual "11 minus the weighted sum" digit; `None` when it would be 10.
pub(super) fn mod11_complement(digits: &[u32], weights: &[u32]) -> Option<u32> {
    match (11 - weighted(digits, weights) % 11) % 11 {
        10 => None,
        check => Some(check),
    }
}

/// The body if the check held, else the mismatch reason.
pub(super) fn verdict(ok: bool, body: &str) -> Outcome {
    if ok {
        Ok(body.to_owned())
    } else {
        Err(MISMATCH.to_owned())
    }
}
