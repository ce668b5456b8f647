//! IBAN (ISO 13616) and BIC (ISO 9362) validation.
//!
//! Bank details on an invoice are where typos and payment fraud cost the most,
//! so an IBAN is only accepted when its country is in the IBAN registry, its
//! length is exactly that country's, and its mod-97 check digits match; the
//! check digits catch every single-character error and nearly every swap of
//! two neighbouring characters. The BBAN inside is not matched against the
//! per-country pattern (where the bank code sits, which positions are
//! letters): the length and the check digits already reject what an
//! extractor or a clerk gets wrong, and the patterns change more often.

use crate::DomainError;

/// IBAN lengths by country, from the SWIFT IBAN registry (release 2025).
///
/// Sorted by country code so it can be binary-searched.
#[rustfmt::skip]
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

/// ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which SWIFT uses in BICs and IBANs
/// although ISO has not assigned it. Sorted, two letters each, no separators.
const ISO_3166: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ\
CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFR\
GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJP\
KEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMT\
MUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURW\
SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUG\
UMUSUYUZVAVCVEVGVIVNVUWFWSXKYEYTZAZMZW";

/// Validates an IBAN and returns it in compact upper-case form.
///
/// Blanks between the groups are allowed (the paper format prints them); any
/// other punctuation is rejected rather than silently dropped, so that an
/// extraction which swallowed part of a neighbouring field does not pass.
pub fn validate(iban: &str) -> Result<String, DomainError> {
    let invalid = |reason: String| DomainError::InvalidIban {
        iban: iban.to_owned(),
        reason,
    };
    check_characters(iban).map_err(invalid)?;
    let compact = crate::normalize::compact_identifier(iban);
    if compact.is_empty() {
        return Err(invalid("is empty".to_owned()));
    }
    // The compact form is ASCII only, so byte offsets are character offsets.
    let country = compact.get(..2).unwrap_or_default();
    if country.len() < 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            "must start with a two-letter country code".to_owned(),
        ));
    }
    let Some(expected) = expected_length(country) else {
        return Err(invalid(format!("unknown country code {country}")));
    };
    if compact.len() != expected {
        return Err(invalid(format!(
            "wrong length for {country}: {} characters, expected {expected}",
            compact.len()
        )));
    }
    let check_digits = &compact[2..4];
    if !check_digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "check digits {check_digits} must be two digits"
        )));
    }
    // 00, 01 and 99 can satisfy mod 97 but ISO 7064 never produces them.
    if !("02"..="98").contains(&check_digits) {
        return Err(invalid(format!(
            "check digits {check_digits} are out of range (02 to 98)"
        )));
    }
    let rearranged = compact[4..].chars().chain(compact[..4].chars());
    if mod97(rearranged) != Some(1) {
        return Err(invalid("check digits do not match (mod 97)".to_owned()));
    }
    Ok(compact)
}

/// The IBAN length of a country in the IBAN registry, or `None` for a
/// country that does not use IBANs.
pub fn expected_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(code, _)| (*code).cmp(country))
        .ok()
        .map(|i| IBAN_LENGTHS[i].1)
}

/// Formats an IBAN for people: upper case in groups of four
/// (`DE89 3704 0044 0532 0130 00`). Does not validate.
pub fn format_grouped(iban: &str) -> String {
    let compact = crate::normalize::compact_identifier(iban);
    let mut grouped = String::with_capacity(compact.len() + compact.len() / 4);
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    grouped
}

/// Validates a BIC (SWIFT code) and returns it in compact upper-case form.
///
/// A BIC is 4 letters for the bank, 2 letters for an ISO 3166 country,
/// 2 letters or digits for the location and optionally 3 for the branch.
pub fn validate_bic(bic: &str) -> Result<String, DomainError> {
    let invalid = |reason: String| DomainError::InvalidBic {
        bic: bic.to_owned(),
        reason,
    };
    check_characters(bic).map_err(invalid)?;
    let compact = crate::normalize::compact_identifier(bic);
    if compact.len() != 8 && compact.len() != 11 {
        return Err(invalid(format!(
            "BICs have 8 or 11 characters, found {}",
            compact.len()
        )));
    }
    let bank = &compact[..4];
    if !bank.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(format!("bank code {bank} must be four letters")));
    }
    let country = &compact[4..6];
    if !is_iso_country(country) {
        return Err(invalid(format!("unknown country code {country}")));
    }
    Ok(compact)
}

/// Whether `code` is an ISO 3166-1 alpha-2 country code (or XK).
fn is_iso_country(code: &str) -> bool {
    code.len() == 2
        && ISO_3166
            .as_bytes()
            .chunks_exact(2)
            .any(|c| c == code.as_bytes())
}

/// Rejects anything but ASCII letters, digits and blanks: `compact_identifier`
/// would silently drop the rest, including non-ASCII letters.
fn check_characters(value: &str) -> Result<(), String> {
    match value
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace())
    {
        Some(c) => Err(format!(
            "contains {c:?}; only letters, digits and blanks are allowed"
        )),
        None => Ok(()),
    }
}

/// The remainder modulo 97 of the number written by `chars`, where letters
/// count as two digits (A = 10 … Z = 35) as ISO 13616 prescribes.
///
/// Computed one character at a time because a 34-character IBAN is a number
/// far beyond `u128`. `None` when a character is not a letter or digit.
pub(crate) fn mod97(chars: impl IntoIterator<Item = char>) -> Option<u32> {
    chars.into_iter().try_fold(0u32, |remainder, c| {
        let value = c.to_digit(36)?;
        let shift = if value < 10 { 10 } else { 100 };
        Some((remainder * shift + value) % 97)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples from the SWIFT IBAN registry: one per country, and a second for GB.
    #[rustfmt::skip]
    const REGISTRY_EXAMPLES: &[&str] = &[
        "AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741",
        "AT611904300234573201", "AZ21NABZ00000000137010001944", "BA391290079401028494",
        "BE68539007547034", "BG80BNBG96611020345678", "BH67BMAG00001299123456",
        "BI4210000100010000332045181", "BR1800360305000010009795493C1",
        "BY13NBRB3600900000002Z00AB00", "CH9300762011623852957", "CR05015202001026284066",
        "CY17002001280000001200527600", "CZ6508000000192000145399", "DE89370400440532013000",
        "DJ2100010000000154000100186", "DK5000400440116243", "DO28BAGR00000001212453611324",
        "EE382200221020145685", "EG380019000500000000263180002", "ES9121000418450200051332",
        "FI2112345600000785", "FK88SC123456789012", "FO6264600001631634",
        "FR1420041010050500013M02606", "GB29NWBK60161331926819", "GB82WEST12345698765432",
        "GE29NB0000000101904917", "GI75NWBK000000007099453", "GL8964710001000206",
        "GR1601101250000000012300695", "GT82TRAJ01020000001210029690",
        "HN88CABF00000000000250005469", "HR1210010051863000160", "HU42117730161111101800000000",
        "IE29AIBK93115212345678", "IL620108000000099999999", "IQ98NBIQ850123456789012",
        "IS140159260076545510730339", "IT60X0542811101000000123456",
        "JO94CBJO0010000000000131000302", "KW81CBKU0000000000001234560101",
        "KZ86125KZT5004100100", "LB62099900000001001901229114",
        "LC55HEMM000100010012001200023015", "LI21088100002324013AA", "LT121000011101001000",
        "LU280019400644750000", "LV80BANK0000435195001", "LY83002048000020100120361",
        "MC5811222000010123456789030", "MD24AG000225100013104168", "ME25505000012345678951",
        "MK07250120000058984", "MN121234123456789123", "MR1300020001010000123456753",
        "MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR",
        "NI45BAPR00000013000003558124", "NL91ABNA0417164300", "NO9386011117947",
        "OM810180000001299123456", "PK36SCBL0000001123456702", "PL61109010140000071219812874",
        "PS92PALS000000000400123456702", "PT50000201231234567890154",
        "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000", "RS35260005601001611379",
        "RU0304452522540817810538091310419", "SA0380000000608010167519",
        "SC18SSCB11010000000000001497USD", "SD2129010501234001", "SE4550000000058398257466",
        "SI56263300012039086", "SK3112000000198742637541", "SM86U0322509800000000270100",
        "SO211000001001000100141", "ST23000100010051845310146", "SV62CENR00000000000000700025",
        "TL380080012345678910157", "TN5910006035183598478831", "TR330006100519786457841326",
        "UA213223130000026007233566001", "VA59001123000012345678", "VG96VPVG0000012345678901",
        "XK051212012345678906", "YE15CBYE0001018861234567891234",
    ];

    fn reason(result: Result<String, DomainError>) -> String {
        match result {
            Err(
                DomainError::InvalidIban { reason, .. } | DomainError::InvalidBic { reason, .. },
            ) => reason,
            other => panic!("expected an IBAN or BIC error, got {other:?}"),
        }
    }

    #[test]
    fn length_table_is_sorted_complete_and_plausible() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(IBAN_LENGTHS.len(), 89);
        assert!(IBAN_LENGTHS.iter().all(|(_, len)| (15..=34).contains(len)));
        assert!(IBAN_LENGTHS.iter().all(|(code, _)| is_iso_country(code)));
    }

    #[test]
    fn iso_country_list_is_sorted_pairs() {
        assert_eq!(ISO_3166.len() % 2, 0);
        let codes: Vec<&[u8]> = ISO_3166.as_bytes().chunks_exact(2).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(codes.len(), 250);
    }

    #[test]
    fn every_iban_country_has_a_valid_registry_example() {
        for (code, _) in IBAN_LENGTHS {
            assert!(
                REGISTRY_EXAMPLES.iter().any(|e| e.starts_with(code)),
                "{code}"
            );
        }
    }

    #[test]
    fn registry_examples_are_valid() {
        for example in REGISTRY_EXAMPLES {
            assert_eq!(validate(example).as_deref(), Ok(*example), "{example}");
        }
    }

    #[test]
    fn paper_format_and_lower_case_are_compacted() {
        assert_eq!(
            validate("de89 3704 0044 0532 0130 00").as_deref(),
            Ok("DE89370400440532013000")
        );
        assert_eq!(
            validate(" NL91 ABNA 0417 1643 00\u{a0}").as_deref(),
            Ok("NL91ABNA0417164300")
        );
    }

    #[test]
    fn a_changed_digit_fails_the_check_digits() {
        for wrong in [
            "DE89370400440532013001",
            "GB82WEST12345698765433",
            "BE68539007547035",
            "FR1420041010050500013M02607",
            // Two neighbouring digits swapped.
            "NL91ABNA0417163400",
        ] {
            assert_eq!(
                reason(validate(wrong)),
                "check digits do not match (mod 97)"
            );
        }
    }

    #[test]
    fn wrong_length_names_the_country_and_both_lengths() {
        assert_eq!(
            reason(validate("DE8937040044053201300")),
            "wrong length for DE: 21 characters, expected 22"
        );
        assert_eq!(
            reason(validate("NO93860111179470")),
            "wrong length for NO: 16 characters, expected 15"
        );
    }

    #[test]
    fn unknown_and_malformed_countries_are_rejected() {
        assert_eq!(
            reason(validate("XX89370400440532013000")),
            "unknown country code XX"
        );
        // The US has no IBAN even though it is a country.
        assert_eq!(
            reason(validate("US64SVBKUS6S3300958879")),
            "unknown country code US"
        );
        assert_eq!(
            reason(validate("1289370400440532013000")),
            "must start with a two-letter country code"
        );
        assert_eq!(reason(validate("   ")), "is empty");
    }

    #[test]
    fn structure_errors_are_reported() {
        assert_eq!(
            reason(validate("DEAB370400440532013000")),
            "check digits AB must be two digits"
        );
        assert_eq!(
            reason(validate("DE-89-3704-0044-0532-0130-00")),
            "contains '-'; only letters, digits and blanks are allowed"
        );
        // A non-ASCII letter would vanish in compaction and let a wrong IBAN pass.
        assert!(reason(validate("DE89 3704 0044 0532 0130 0Ö0")).contains("'Ö'"));
    }

    #[test]
    fn out_of_range_check_digits_are_rejected_even_when_mod_97_holds() {
        // Find an account whose correct check digits are 02: since 99 ≡ 02
        // (mod 97), the same IBAN with 99 passes mod 97 but is not valid.
        let iban_02 = (0..1000)
            .map(|n| format!("GB02WEST12345698765{n:03}"))
            .find(|iban| validate(iban).is_ok())
            .expect("about one account in 97 has check digits 02");
        let iban_99 = iban_02.replacen("GB02", "GB99", 1);
        assert_eq!(
            mod97(iban_99[4..].chars().chain(iban_99[..4].chars())),
            Some(1)
        );
        assert_eq!(
            reason(validate(&iban_99)),
            "check digits 99 are out of range (02 to 98)"
        );
        assert_eq!(
            reason(validate("GB00WEST12345698765432")),
            "check digits 00 are out of range (02 to 98)"
        );
    }

    #[test]
    fn mod97_is_computed_piecewise_over_letters_and_digits() {
        assert_eq!(mod97("97".chars()), Some(0));
        assert_eq!(mod97("98".chars()), Some(1));
        // Letters stand for two digits: "A" is 10 and "A0" is 100.
        assert_eq!(mod97("A".chars()), Some(10));
        assert_eq!(mod97("A0".chars()), Some(100 % 97));
        assert_eq!(mod97("-".chars()), None);
    }

    #[test]
    fn grouping_is_by_four_from_the_left() {
        assert_eq!(
            format_grouped("DE89370400440532013000"),
            "DE89 3704 0044 0532 0130 00"
        );
        assert_eq!(format_grouped("no93 8601 1117 947"), "NO93 8601 1117 947");
        assert_eq!(format_grouped(""), "");
    }

    #[test]
    fn bics_of_8_and_11_characters_are_accepted() {
        assert_eq!(validate_bic("DEUTDEFF").as_deref(), Ok("DEUTDEFF"));
        assert_eq!(validate_bic("deut de ff 500").as_deref(), Ok("DEUTDEFF500"));
        assert_eq!(validate_bic("NWBKGB2L").as_deref(), Ok("NWBKGB2L"));
        assert_eq!(validate_bic("CHASUS33XXX").as_deref(), Ok("CHASUS33XXX"));
    }

    #[test]
    fn malformed_bics_are_rejected_with_a_reason() {
        assert_eq!(
            reason(validate_bic("DEUTDEF")),
            "BICs have 8 or 11 characters, found 7"
        );
        assert_eq!(
            reason(validate_bic("DEUTDEFF50")),
            "BICs have 8 or 11 characters, found 10"
        );
        assert_eq!(
            reason(validate_bic("DEU1DEFF")),
            "bank code DEU1 must be four letters"
        );
        assert_eq!(reason(validate_bic("DEUTXXFF")), "unknown country code XX");
        assert_eq!(reason(validate_bic("DEUT1EFF")), "unknown country code 1E");
        assert!(matches!(
            validate_bic("DEUT.DE.FF"),
            Err(DomainError::InvalidBic { .. })
        ));
    }
}
