//! VAT ids and IBANs that fail their own check digits but stand beside
//! their label.
//!
//! A value printed after "USt-IdNr.:" or "IBAN:" is what the page says, even
//! when its check digits fail (sample documents print placeholders such as
//! `DE123456789`; a real one may carry a typo). Dropping it would hide what
//! the page shows; trusting it would book on an id that cannot be right. So
//! it is kept with a confidence far below the review threshold and a note,
//! and a person looks. Only the label makes such a value evidence: without
//! one, a string of this shape is not taken. Booking still needs the bank
//! account on the supplier's master record.

use docket_domain::{iban, vat};

use super::labels::{LabelHit, LabelKind, compact};
use super::view::View;

/// Confidence of an identifier whose check digits fail.
pub const UNCHECKED: f32 = 0.3;

/// The note on such a value, for the person who checks it.
pub const NOTE: &str = "check digits fail: not a valid identifier as printed";

/// The label of one of `kinds` that words `start..` of a line follow
/// directly (only punctuation such as ":" in between), if any.
pub fn label_before<'v>(
    view: &'v View,
    line: usize,
    start: usize,
    kinds: &[LabelKind],
) -> Option<&'v LabelHit> {
    let l = &view.lines[line];
    l.labels.iter().find(|h| {
        kinds.contains(&h.kind)
            && h.end <= start
            && l.toks[h.end..start]
                .iter()
                .all(|t| compact(&t.text).is_empty())
    })
}

/// Upper-case letters and digits in groups; `None` for other characters
/// (lower case is a word, not an identifier).
fn compact_groups(text: &str) -> Option<String> {
    let ok = text
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    ok.then(|| text.chars().filter(char::is_ascii_alphanumeric).collect())
}

/// A VAT id by shape: a known country prefix and 8 to 12 characters, mostly
/// digits, printed as one word or followed by groups of digits (a register
/// entry such as `HRB` after it is another word). The check digits are not
/// asked.
pub fn vat_shaped(text: &str) -> Option<String> {
    let mut groups = text.split(' ');
    groups.next()?;
    if !groups.all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let c = compact_groups(text)?;
    let body = c.get(2..)?;
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (vat::country(&c).is_some() && (8..=12).contains(&body.len()) && digits >= 7).then_some(c)
}

/// An IBAN by shape: a country that uses IBANs, two check digits and 11 to
/// 30 more letters or digits, printed as one word or in groups of four. The
/// length and check digits are not asked.
pub fn iban_shaped(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split(' ').collect();
    if groups.len() > 1 && groups.iter().any(|g| g.len() > 4) {
        return None;
    }
    let c = compact_groups(text)?;
    let b = c.as_bytes();
    let ok = (15..=34).contains(&c.len())
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit()
        && iban::expected_length(&c[..2]).is_some();
    ok.then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_have_the_shape_and_words_do_not() {
        assert_eq!(vat_shaped("DE123456789").as_deref(), Some("DE123456789"));
        assert_eq!(vat_shaped("GB 999 999 999").as_deref(), Some("GB999999999"));
        assert_eq!(vat_shaped("DE12"), None);
        assert_eq!(vat_shaped("DEUTSCHLAND"), None);
        assert_eq!(vat_shaped("DE123456789 Handelsreg"), None);
        assert_eq!(
            iban_shaped("DE1212344321987600").as_deref(),
            Some("DE1212344321987600")
        );
        assert_eq!(
            iban_shaped("DE12 1234 4321 9876 00").as_deref(),
            Some("DE1212344321987600")
        );
        assert_eq!(iban_shaped("DE12 1234 4321 9876 00 GENODEF1M04"), None);
        assert_eq!(iban_shaped("ZZ12123443219876"), None);
        assert_eq!(iban_shaped("DE98ZZZ09"), None);
    }
}
