//! The per-country rules: each takes the part after the country prefix and
//! returns it normalised, or why it is not a VAT id of that country.
//!
//! Weights and moduli follow the EU Commission's VIES validation routines and
//! the national publications; the tests in `super` pin them with real ids.

use super::checks::{
    Outcome, digits, expect_digits, luhn_ok, luhn_sum, mod11_10_ok, mod11_complement, number,
    require_nonzero_start, verdict, weighted,
};

/// A country's rule: the VAT prefix, the ISO 3166 country and the check.
pub(super) struct Rule {
    /// The prefix as written in the VAT id (`EL` for Greece).
    pub prefix: &'static str,
    /// The ISO 3166-1 alpha-2 country.
    pub iso: &'static str,
    /// Checks the body (the id without its prefix).
    pub check: fn(&str) -> Outcome,
}

/// Keeps the table below one line per country.
const fn rule(prefix: &'static str, iso: &'static str, check: fn(&str) -> Outcome) -> Rule {
    Rule { prefix, iso, check }
}

/// Every prefix Docket knows, sorted.
pub(super) const RULES: &[Rule] = &[
    rule("AT", "AT", at),
    rule("BE", "BE", be),
    rule("BG", "BG", bg),
    rule("CH", "CH", ch),
    rule("CY", "CY", cy),
    rule("CZ", "CZ", cz),
    rule("DE", "DE", de),
    rule("DK", "DK", dk),
    rule("EE", "EE", ee),
    rule("EL", "GR", el),
    rule("ES", "ES", es),
    rule("FI", "FI", fi),
    rule("FR", "FR", fr),
    rule("GB", "GB", gb),
    rule("HR", "HR", hr),
    rule("HU", "HU", hu),
    rule("IE", "IE", ie),
    rule("IT", "IT", it),
    rule("LT", "LT", lt),
    rule("LU", "LU", lu),
    rule("LV", "LV", lv),
    rule("MT", "MT", mt),
    rule("NL", "NL", nl),
    rule("NO", "NO", no),
    rule("PL", "PL", pl),
    rule("PT", "PT", pt),
    rule("RO", "RO", ro),
    rule("SE", "SE", se),
    rule("SI", "SI", si),
    rule("SK", "SK", sk),
    rule("XI", "GB", gb),
];

fn at(body: &str) -> Outcome {
    let Some(rest) = body.strip_prefix('U') else {
        return Err("AT VAT ids have U and 8 digits after AT".to_owned());
    };
    expect_digits("AT", "ATU", rest, &[8])?;
    // Luhn weights over the first 7 digits, but offset: check = (6 - sum) mod 10.
    let check = (16 - luhn_sum(&rest[..7]) % 10) % 10;
    verdict(check == digits(rest)[7], body)
}

fn be(body: &str) -> Outcome {
    expect_digits("BE", "BE", body, &[9, 10])?;
    // The old notation had 9 digits; the enterprise number adds a leading 0.
    let body = format!("{body:0>10}");
    if !body.starts_with(['0', '1']) {
        return Err("BE VAT ids start with 0 or 1 after BE".to_owned());
    }
    let ok = 97 - number(&body[..8]) % 97 == number(&body[8..]);
    verdict(ok, &body)
}

fn bg(body: &str) -> Outcome {
    expect_digits("BG", "BG", body, &[9, 10])?;
    if body.len() == 10 {
        // Persons and foreigners: three competing algorithms, format only.
        return Ok(body.to_owned());
    }
    let ds = digits(body);
    let mut check = weighted(&ds[..8], &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if check == 10 {
        check = weighted(&ds[..8], &[3, 4, 5, 6, 7, 8, 9, 10]) % 11;
    }
    verdict(check % 10 == ds[8], body)
}

fn ch(body: &str) -> Outcome {
    let Some(rest) = body.strip_prefix('E') else {
        return Err("CH VAT ids have E and 9 digits after CH (CHE-123.456.789)".to_owned());
    };
    // The VAT register adds the language's abbreviation for VAT to the UID.
    let rest = ["MWST", "TVA", "IVA"]
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix))
        .unwrap_or(rest);
    expect_digits("CH", "CHE", rest, &[9])?;
    let ds = digits(rest);
    let check = mod11_complement(&ds[..8], &[5, 4, 3, 2, 7, 6, 5, 4]);
    verdict(check == Some(ds[8]), &format!("E{rest}"))
}

fn cy(body: &str) -> Outcome {
    let shape = "CY VAT ids have 8 digits and a check letter after CY";
    let (number, letter) = body.split_at(body.len().saturating_sub(1));
    if body.len() != 9 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{shape}, found {body}"));
    }
    const ODD: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
    let sum: u32 = digits(number)
        .iter()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 0 { ODD[d as usize] } else { d })
        .sum();
    verdict(letter.as_bytes() == [b'A' + (sum % 26) as u8], body)
}

fn cz(body: &str) -> Outcome {
    expect_digits("CZ", "CZ", body, &[8, 9, 10])?;
    if body.len() != 8 {
        // Individuals: the birth number (rodné číslo) or a substitute, format only.
        return Ok(body.to_owned());
    }
    let ds = digits(body);
    let check = match (11 - weighted(&ds[..7], &[8, 7, 6, 5, 4, 3, 2]) % 11) % 11 {
        0 => 1,
        c => c % 10,
    };
    verdict(check == ds[7], body)
}

fn de(body: &str) -> Outcome {
    expect_digits("DE", "DE", body, &[9])?;
    require_nonzero_start("DE", body)?;
    verdict(mod11_10_ok(body), body)
}

fn dk(body: &str) -> Outcome {
    expect_digits("DK", "DK", body, &[8])?;
    require_nonzero_start("DK", body)?;
    verdict(
        weighted(&digits(body), &[2, 7, 6, 5, 4, 3, 2, 1]).is_multiple_of(11),
        body,
    )
}

fn ee(body: &str) -> Outcome {
    expect_digits("EE", "EE", body, &[9])?;
    let ds = digits(body);
    let check = (10 - weighted(&ds[..8], &[3, 7, 1, 3, 7, 1, 3, 7]) % 10) % 10;
    verdict(check == ds[8], body)
}

fn el(body: &str) -> Outcome {
    expect_digits("EL", "EL", body, &[8, 9])?;
    // Old ids are still written with 8 digits, without the leading 0.
    let body = format!("{body:0>9}");
    let ds = digits(&body);
    let check = weighted(&ds[..8], &[256, 128, 64, 32, 16, 8, 4, 2]) % 11 % 10;
    verdict(check == ds[8], &body)
}

fn es(body: &str) -> Outcome {
    const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let b = body.as_bytes();
    if b.len() != 9 {
        return Err(format!(
            "ES VAT ids have 9 characters after ES, found {}",
            b.len()
        ));
    }
    if !b[1..8].iter().all(u8::is_ascii_digit) {
        return Err("ES VAT ids have 7 digits in positions 2 to 8 after ES".to_owned());
    }
    let middle = number(&body[1..8]);
    let dni_letter = |n: u64| DNI_LETTERS[(n % 23) as usize];
    let ok = match b[0] {
        // Spanish citizens (DNI): 8 digits and a letter.
        b'0'..=b'9' => b[8] == dni_letter(number(&body[..8])),
        // Foreigners (NIE): X, Y, Z stand for 0, 1, 2.
        b'X' | b'Y' | b'Z' => b[8] == dni_letter(u64::from(b[0] - b'X') * 10_000_000 + middle),
        // Minors, non-residents and others without a DNI: DNI letter over 7 digits.
        b'K' | b'L' | b'M' => b[8] == dni_letter(middle),
        // Legal entities (CIF): Luhn over 7 digits, written as digit or letter;
        // which entity types use which is inconsistently documented, so accept both.
        b'A'..=b'H' | b'J' | b'N' | b'P'..=b'S' | b'U'..=b'W' => {
            let check = (10 - luhn_sum(&format!("{}0", &body[1..8])) % 10) % 10;
            b[8] == b'0' + check as u8 || b[8] == b"JABCDEFGHI"[check as usize]
        }
        first => {
            return Err(format!(
                "ES VAT ids do not start with {:?} after ES",
                char::from(first)
            ));
        }
    };
    verdict(ok, body)
}

fn fi(body: &str) -> Outcome {
    expect_digits("FI", "FI", body, &[8])?;
    verdict(
        weighted(&digits(body), &[7, 9, 10, 5, 8, 4, 2, 1]).is_multiple_of(11),
        body,
    )
}

fn fr(body: &str) -> Outcome {
    // I and O are never used in the key, to avoid confusion with 1 and 0.
    const KEY_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let (key, siren) = body.split_at(body.len().min(2));
    if body.len() != 11
        || !key.chars().all(|c| KEY_CHARS.contains(c))
        || !siren.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "FR VAT ids have a 2-character key and 9 digits after FR, found {body}"
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        // The alphanumeric keys of newer ids: format only.
        return Ok(body.to_owned());
    }
    verdict(number(key) == (12 + 3 * (number(siren) % 97)) % 97, body)
}

fn gb(body: &str) -> Outcome {
    let b = body.as_bytes();
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let is_public = body.starts_with("GD") || body.starts_with("HA");
    match b.len() {
        5 if is_public && all_digits(&b[2..]) => {
            public_range(&body[..2], number(&body[2..]))?;
            Ok(body.to_owned())
        }
        // The EU notation of the same: GD or HA, 8888, the number, mod 97 of it.
        11 if is_public && &body[2..6] == "8888" && all_digits(&b[6..]) => {
            let n = number(&body[6..9]);
            public_range(&body[..2], n)?;
            verdict(n % 97 == number(&body[9..]), body)
        }
        // 12 digits: a branch of a 9-digit registration; the branch is not checked.
        9 | 12 if all_digits(b) => {
            let ds = digits(body);
            let remainder = weighted(&ds[..9], &[8, 7, 6, 5, 4, 3, 2, 10, 1]) % 97;
            // Newer numbers (from 100 0000 00) use the "9755" variant: sum + 55 ≡ 0.
            let ok = remainder == 0 || (remainder == 42 && number(&body[..3]) >= 100);
            verdict(ok, body)
        }
        _ => Err(format!(
            "GB VAT ids have 9 or 12 digits (or GD or HA and 3 digits) after the prefix, \
             found {body}"
        )),
    }
}

/// Government departments (GD) are numbered below 500, health authorities (HA) from 500.
fn public_range(kind: &str, n: u64) -> Result<(), String> {
    match (kind, n < 500) {
        ("GD", true) | ("HA", false) => Ok(()),
        ("GD", false) => Err(format!("GB GD numbers are below 500, found {n}")),
        _ => Err(format!("GB HA numbers are 500 or above, found {n}")),
    }
}

fn hr(body: &str) -> Outcome {
    expect_digits("HR", "HR", body, &[11])?;
    verdict(mod11_10_ok(body), body)
}

fn hu(body: &str) -> Outcome {
    expect_digits("HU", "HU", body, &[8])?;
    verdict(
        weighted(&digits(body), &[9, 7, 3, 1, 9, 7, 3, 1]).is_multiple_of(10),
        body,
    )
}

fn ie(body: &str) -> Outcome {
    const LETTERS: &[u8; 23] = b"WABCDEFGHIJKLMNOPQRSTUV";
    let b = body.as_bytes();
    let shape = "IE VAT ids have 7 digits and 1 or 2 letters after IE \
                 (or the old form: digit, letter, 5 digits, letter)";
    let check_letter = |seven: &[u8], extra: u32| {
        let ds: Vec<u32> = seven.iter().map(|d| u32::from(d - b'0')).collect();
        LETTERS[((weighted(&ds, &[8, 7, 6, 5, 4, 3, 2]) + 9 * extra) % 23) as usize]
    };
    if (b.len() == 8 || b.len() == 9) && b[..7].iter().all(u8::is_ascii_digit) {
        // Since 2013 a second letter may follow: W = 0, A = 1 … I = 9, weighted by 9.
        let extra = match b.get(8) {
            None => 0,
            Some(c) => match b"WABCDEFGHI".iter().position(|l| l == c) {
                Some(value) => value as u32,
                None => return Err(format!("{shape}, found {body}")),
            },
        };
        if !b[7].is_ascii_uppercase() {
            return Err(format!("{shape}, found {body}"));
        }
        return verdict(b[7] == check_letter(&b[..7], extra), body);
    }
    let old_form = b.len() == 8
        && b[0].is_ascii_digit()
        && (b[1].is_ascii_uppercase() || b[1] == b'+' || b[1] == b'*')
        && b[2..7].iter().all(u8::is_ascii_digit)
        && b[7].is_ascii_uppercase();
    if !old_form {
        return Err(format!("{shape}, found {body}"));
    }
    // The old form is checked as 0, the five digits, then the first digit.
    let seven = [b"0", &b[2..7], &b[..1]].concat();
    verdict(b[7] == check_letter(&seven, 0), body)
}

fn it(body: &str) -> Outcome {
    expect_digits("IT", "IT", body, &[11])?;
    verdict(luhn_ok(body), body)
}

fn lt(body: &str) -> Outcome {
    expect_digits("LT", "LT", body, &[9, 12])?;
    let ds = digits(body);
    let (payload, check) = ds.split_at(ds.len() - 1);
    let sum_with = |offset: usize| -> u32 {
        payload
            .iter()
            .enumerate()
            .map(|(i, d)| d * (1 + (i + offset) as u32 % 9))
            .sum()
    };
    let mut remainder = sum_with(0) % 11;
    if remainder == 10 {
        remainder = sum_with(2) % 11;
    }
    verdict(remainder % 10 == check[0], body)
}

fn lu(body: &str) -> Outcome {
    expect_digits("LU", "LU", body, &[8])?;
    verdict(number(&body[..6]) % 89 == number(&body[6..]), body)
}

fn lv(body: &str) -> Outcome {
    expect_digits("LV", "LV", body, &[11])?;
    if body.as_bytes()[0] <= b'3' {
        // Natural persons: the personal code, format only.
        return Ok(body.to_owned());
    }
    let sum = weighted(&digits(body), &[9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1]);
    verdict(sum % 11 == 3, body)
}

fn mt(body: &str) -> Outcome {
    expect_digits("MT", "MT", body, &[8])?;
    require_nonzero_start("MT", body)?;
    verdict(
        weighted(&digits(body), &[3, 4, 6, 7, 8, 9, 10, 1]).is_multiple_of(37),
        body,
    )
}

fn nl(body: &str) -> Outcome {
    let shape = "NL VAT ids have 9 digits, B and 2 digits after NL";
    let Some((number_part, suffix)) = body.split_once('B') else {
        return Err(format!("{shape}, found {body}"));
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(7..=9).contains(&number_part.len())
        || !all_digits(number_part)
        || suffix.len() != 2
        || !all_digits(suffix)
    {
        return Err(format!("{shape}, found {body}"));
    }
    if suffix == "00" {
        return Err("NL VAT ids have a branch number from B01, found B00".to_owned());
    }
    // Leading zeros of the RSIN are often dropped in writing.
    let normalised = format!("{number_part:0>9}B{suffix}");
    let ds = digits(&normalised[..9]);
    // Companies: the RSIN "elfproef" (the last digit weighs -1, i.e. 10 mod 11).
    let elfproef = weighted(&ds, &[9, 8, 7, 6, 5, 4, 3, 2, 10]).is_multiple_of(11);
    // Sole traders since 2020: mod 97 over the whole id, as for an IBAN.
    let mod97 = crate::iban::mod97("NL".chars().chain(normalised.chars())) == Some(1);
    verdict(elfproef || mod97, &normalised)
}

fn no(body: &str) -> Outcome {
    let digits_part = body.strip_suffix("MVA").unwrap_or(body);
    expect_digits("NO", "NO", digits_part, &[9])?;
    let ds = digits(digits_part);
    let check = mod11_complement(&ds[..8], &[3, 2, 7, 6, 5, 4, 3, 2]);
    verdict(check == Some(ds[8]), &format!("{digits_part}MVA"))
}

fn pl(body: &str) -> Outcome {
    expect_digits("PL", "PL", body, &[10])?;
    let ds = digits(body);
    verdict(
        weighted(&ds[..9], &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 == ds[9],
        body,
    )
}

fn pt(body: &str) -> Outcome {
    expect_digits("PT", "PT", body, &[9])?;
    require_nonzero_start("PT", body)?;
    let ds = digits(body);
    let check = (11 - weighted(&ds[..8], &[9, 8, 7, 6, 5, 4, 3, 2]) % 11) % 11 % 10;
    verdict(check == ds[8], body)
}

fn ro(body: &str) -> Outcome {
    expect_digits("RO", "RO", body, &[2, 3, 4, 5, 6, 7, 8, 9, 10])?;
    require_nonzero_start("RO", body)?;
    let ds = digits(&format!("{body:0>10}"));
    let check = 10 * weighted(&ds[..9], &[7, 5, 3, 2, 1, 7, 5, 3, 2]) % 11 % 10;
    verdict(check == ds[9], body)
}

fn se(body: &str) -> Outcome {
    expect_digits("SE", "SE", body, &[12])?;
    if !body.ends_with("01") {
        return Err("SE VAT ids end in 01".to_owned());
    }
    verdict(luhn_ok(&body[..10]), body)
}

fn si(body: &str) -> Outcome {
    expect_digits("SI", "SI", body, &[8])?;
    require_nonzero_start("SI", body)?;
    let ds = digits(body);
    // A remainder of 0 would need check digit 11: such numbers are not issued.
    let check = match weighted(&ds[..7], &[8, 7, 6, 5, 4, 3, 2]) % 11 {
        0 => None,
        r => Some((11 - r) % 10),
    };
    verdict(check == Some(ds[7]), body)
}

fn sk(body: &str) -> Outcome {
    expect_digits("SK", "SK", body, &[10])?;
    verdict(number(body).is_multiple_of(11), body)
}
