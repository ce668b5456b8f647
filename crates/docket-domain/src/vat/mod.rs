//! VAT identifier validation: the format of every EU member state, Northern
//! Ireland (XI), the United Kingdom, Switzerland and Norway, and the check
//! digits wherever the country defines them.
//!
//! A supplier's VAT id decides whether an invoice may show VAT at all and is
//! the strongest key for matching a supplier, so a mistyped or mis-extracted
//! id should be caught here rather than in a tax audit. A valid format and
//! check digit do not prove that the id is registered; that takes VIES.
//!
//! Check digits are verified for AT, BE, BG (9-digit legal entities), CH, CY,
//! CZ (8-digit legal entities), DE, DK, EE, EL, ES (DNI, NIE, CIF and the K/L/M
//! forms), FI, FR (numeric keys), GB and XI (9- and 12-digit and the EU
//! notation of GD/HA), HR, HU, IE (old and new forms), IT, LT, LU, LV (legal
//! entities), MT, NL (the mod-11 RSIN test or the mod-97 test of sole-trader
//! ids), NO, PL, PT, RO, SE, SI and SK. The format alone is checked for
//! 10-digit BG ids, 9- and 10-digit CZ ids, FR ids with an alphanumeric key,
//! LV ids of natural persons, and the 5-character GB GD/HA ids: these have
//! no check digit, or one that is undocumented or needs a birth date.
//!
//! Normalisation: upper case, separators dropped, `GR` written as `EL`,
//! Austrian `ATU` kept, Swiss `CHE-123.456.789 MWST` (or TVA, IVA) becomes
//! `CHE123456789`, Norwegian ids end in `MVA`, and leading zeros dropped in
//! writing are restored for BE (to 10 digits), EL (to 9) and NL (to 9).

mod checks;
mod countries;

use crate::DomainError;
use countries::RULES;

/// Validates a VAT id and returns it normalised: country prefix and body,
/// upper case, without blanks, dots, dashes or other separators.
pub fn validate(vat_id: &str) -> Result<String, DomainError> {
    let invalid = |reason: String| DomainError::InvalidVatId {
        vat_id: vat_id.to_owned(),
        reason,
    };
    let compact = compact(vat_id).map_err(invalid)?;
    // `compact` keeps ASCII only, so byte offsets are character offsets.
    let (prefix, body) = compact.split_at(compact.len().min(2));
    if prefix.len() < 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            "must start with a two-letter country prefix such as DE".to_owned(),
        ));
    }
    let prefix = if prefix == "GR" { "EL" } else { prefix };
    let Some(rule) = RULES.iter().find(|rule| rule.prefix == prefix) else {
        return Err(invalid(format!("unknown country code {prefix}")));
    };
    if body.is_empty() {
        return Err(invalid(format!(
            "nothing follows the country prefix {prefix}"
        )));
    }
    // Only old Irish ids use + and * (as their second character).
    if prefix != "IE"
        && let Some(c) = body.chars().find(|c| !c.is_ascii_alphanumeric())
    {
        return Err(invalid(format!(
            "contains {c:?}, which {prefix} VAT ids never do"
        )));
    }
    let body = (rule.check)(body).map_err(invalid)?;
    Ok(format!("{prefix}{body}"))
}

/// The ISO 3166-1 country of a VAT id, from its prefix alone (`EL` → `GR`,
/// `XI` → `GB`); `None` when the prefix is not one Docket knows.
///
/// Does not validate the id: use [`validate`] for that.
pub fn country(vat_id: &str) -> Option<&'static str> {
    let compact = crate::normalize::compact_identifier(vat_id);
    match compact.get(..2)? {
        "GR" => Some("GR"),
        prefix => RULES
            .iter()
            .find(|rule| rule.prefix == prefix)
            .map(|rule| rule.iso),
    }
}

/// Upper case without separators. Keeps `+` and `*` for old Irish ids and
/// rejects non-ASCII letters and digits, which `compact_identifier` would
/// silently drop (and so let a wrong id pass).
fn compact(vat_id: &str) -> Result<String, String> {
    let mut compact = String::with_capacity(vat_id.len());
    for c in vat_id.chars() {
        if c.is_ascii_alphanumeric() || c == '+' || c == '*' {
            compact.push(c.to_ascii_uppercase());
        } else if c.is_alphanumeric() {
            return Err(format!(
                "contains {c:?}, which is not a letter or digit of a VAT id"
            ));
        }
    }
    if compact.is_empty() {
        return Err("is empty".to_owned());
    }
    Ok(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(vat_id: &str) -> String {
        match validate(vat_id) {
            Err(DomainError::InvalidVatId { reason, .. }) => reason,
            other => panic!("expected {vat_id:?} to be invalid, got {other:?}"),
        }
    }

    fn assert_all_valid(cases: &[(&str, &str)]) {
        for (input, normalised) in cases {
            assert_eq!(validate(input).as_deref(), Ok(*normalised), "{input}");
        }
    }

    fn assert_all_mismatch(cases: &[&str]) {
        for input in cases {
            assert_eq!(reason(input), "check digit does not match", "{input}");
        }
    }

    #[test]
    fn real_ids_pass_their_check_digits() {
        assert_all_valid(&[
            ("ATU13585627", "ATU13585627"),
            ("ATU 142 43 102", "ATU14243102"),
            ("BE 0403.170.701", "BE0403170701"),
            ("BE0428759497", "BE0428759497"),
            ("BG 175 074 752", "BG175074752"),
            ("CHE-100.155.212", "CHE100155212"),
            ("CY-10259033P", "CY10259033P"),
            ("CZ 25123891", "CZ25123891"),
            ("DE 136 695 976", "DE136695976"),
            ("DE 811125440", "DE811125440"),
            ("DK 13 58 56 28", "DK13585628"),
            ("EE 100 931 558", "EE100931558"),
            ("EL 094012834", "EL094012834"),
            ("ESA78109592", "ESA78109592"),
            ("FI 2077 4740", "FI20774740"),
            ("FI 0982651-1", "FI09826511"),
            ("Fr 40 303 265 045", "FR40303265045"),
            ("GB 980 7806 84", "GB980780684"),
            ("HR 33392005961", "HR33392005961"),
            ("HU-12892312", "HU12892312"),
            ("IE 6388047V", "IE6388047V"),
            ("IT 00743110157", "IT00743110157"),
            ("LT 119511515", "LT119511515"),
            ("LT 100001919017", "LT100001919017"),
            ("LU 150 274 42", "LU15027442"),
            ("LV 4000 3521 600", "LV40003521600"),
            ("MT 1167-9112", "MT11679112"),
            ("NL004495445B01", "NL004495445B01"),
            ("NL.8143.26.584.B.01", "NL814326584B01"),
            ("NO 995 525 828 MVA", "NO995525828MVA"),
            ("PL 526-025-09-95", "PL5260250995"),
            ("PT 501 964 843", "PT501964843"),
            ("RO 21996566", "RO21996566"),
            ("RO 573768", "RO573768"),
            ("SE 556043606401", "SE556043606401"),
            ("SI 50223054", "SI50223054"),
            ("SK 202 274 96 19", "SK2022749619"),
        ]);
    }

    #[test]
    fn changed_digits_fail_the_check() {
        assert_all_mismatch(&[
            "ATU13585628",
            "BE0403170702",
            "BG175074751",
            "CHE-100.155.213",
            "CY10259033Z",
            "CZ25123890",
            "DE136695975",
            // Two neighbouring digits swapped.
            "DE136659976",
            "DK13585629",
            "EE100931559",
            "EL094013834",
            "ES54362415K",
            "ESA78109593",
            "FI20774741",
            "FR41303265045",
            "GB980780685",
            "HR33392005962",
            "HU12892313",
            "IE6388047W",
            "IT00743110158",
            "LT119511516",
            "LU15027443",
            "LV40003521601",
            "MT11679113",
            "NL004495446B01",
            "NO995525829MVA",
            "PL5260250996",
            "PT501964844",
            "RO21996567",
            "SE556043606501",
            "SI50223055",
            "SK2022749618",
        ]);
    }

    #[test]
    fn format_only_forms_are_accepted_without_a_check() {
        assert_all_valid(&[
            // Bulgarian persons, Czech individuals, Latvian persons: format only.
            ("BG 7523169263", "BG7523169263"),
            ("CZ 640229/4448", "CZ6402294448"),
            ("CZ 640903926", "CZ640903926"),
            ("LV 161175-19997", "LV16117519997"),
            // A French alphanumeric key: format only.
            ("FR K 7399859412", "FRK7399859412"),
        ]);
        // I and O are never part of a French key.
        assert!(reason("FRIO334175221").starts_with("FR VAT ids have a 2-character key"));
    }

    #[test]
    fn wrong_lengths_name_the_expected_and_found_counts() {
        for (input, expected) in [
            ("DE12345678", "DE VAT ids have 9 digits after DE, found 8"),
            ("ATU1234567", "AT VAT ids have 8 digits after ATU, found 7"),
            (
                "LT12345678",
                "LT VAT ids have 9 or 12 digits after LT, found 8",
            ),
            (
                "CZ1234567",
                "CZ VAT ids have 8, 9 or 10 digits after CZ, found 7",
            ),
            ("RO1", "RO VAT ids have 2 to 10 digits after RO, found 1"),
            (
                "SE5560436064010",
                "SE VAT ids have 12 digits after SE, found 13",
            ),
            (
                "ES B6424091",
                "ES VAT ids have 9 characters after ES, found 8",
            ),
            (
                "DE13669597X",
                "DE VAT ids have only digits after DE, found 'X'",
            ),
        ] {
            assert_eq!(reason(input), expected, "{input}");
        }
    }

    #[test]
    fn unknown_missing_and_empty_prefixes_are_rejected() {
        assert_eq!(reason("XX123456789"), "unknown country code XX");
        // The US has no VAT; EU is the OSS scheme, not a VAT id.
        assert_eq!(reason("US123456789"), "unknown country code US");
        assert_eq!(reason("EU372000041"), "unknown country code EU");
        assert_eq!(
            reason("136695976"),
            "must start with a two-letter country prefix such as DE"
        );
        assert_eq!(reason(" - "), "is empty");
        assert_eq!(reason("DE"), "nothing follows the country prefix DE");
    }

    #[test]
    fn non_ascii_characters_are_not_silently_dropped() {
        assert!(reason("DE 136 695 976 Ä").contains("'Ä'"));
        assert!(reason("DE１３６６９５９７６").contains("'１'"));
    }

    #[test]
    fn greek_ids_are_written_el_and_padded_to_nine_digits() {
        assert_eq!(validate("GR 094012834").as_deref(), Ok("EL094012834"));
        assert_eq!(validate("el 94051189").as_deref(), Ok("EL094051189"));
    }

    #[test]
    fn old_nine_digit_belgian_ids_get_their_leading_zero() {
        assert_eq!(validate("BE 428.759.497").as_deref(), Ok("BE0428759497"));
        assert_eq!(validate("BE (0)468.561.072").as_deref(), Ok("BE0468561072"));
        assert_eq!(
            reason("BE2428759497"),
            "BE VAT ids start with 0 or 1 after BE"
        );
    }

    #[test]
    fn austrian_ids_need_the_u() {
        assert_eq!(
            reason("AT13585627"),
            "AT VAT ids have U and 8 digits after AT"
        );
    }

    #[test]
    fn swiss_ids_drop_separators_and_the_vat_suffix() {
        for input in [
            "CHE-107.787.577 MWST",
            "CHE-107.787.577 TVA",
            "che 107 787 577 iva",
            "CHE107787577",
        ] {
            assert_eq!(validate(input).as_deref(), Ok("CHE107787577"), "{input}");
        }
        assert!(reason("CH107787577").starts_with("CH VAT ids have E and 9 digits"));
        assert_eq!(reason("CHE-107.787.578 MWST"), "check digit does not match");
    }

    #[test]
    fn norwegian_ids_are_normalised_with_mva() {
        assert_eq!(validate("NO 923 609 016").as_deref(), Ok("NO923609016MVA"));
        assert_eq!(validate("NO923609016MVA").as_deref(), Ok("NO923609016MVA"));
        assert_eq!(reason("NO923609017MVA"), "check digit does not match");
    }

    #[test]
    fn dutch_sole_trader_ids_pass_on_mod_97_alone() {
        // Neither passes the RSIN elfproef (weighted sums 206 and 112, not
        // multiples of 11), so only the mod-97 rule can accept them.
        assert_all_valid(&[
            ("NL000099998B57", "NL000099998B57"),
            ("NL 002342672 B42", "NL002342672B42"),
        ]);
        assert_all_mismatch(&["NL000099998B58", "NL002342672B24"]);
    }

    #[test]
    fn dutch_ids_have_a_branch_suffix_and_regain_leading_zeros() {
        assert_eq!(validate("NL4495445B01").as_deref(), Ok("NL004495445B01"));
        assert_eq!(
            reason("NL004495445B00"),
            "NL VAT ids have a branch number from B01, found B00"
        );
        assert!(reason("NL004495445").starts_with("NL VAT ids have 9 digits, B and 2 digits"));
        assert!(reason("NL004495445X01").starts_with("NL VAT ids have 9 digits, B and 2 digits"));
    }

    #[test]
    fn irish_ids_in_old_new_and_two_letter_forms() {
        assert_all_valid(&[
            ("IE 8D79739I", "IE8D79739I"),
            ("IE9Y71814N", "IE9Y71814N"),
            ("IE 6433435F", "IE6433435F"),
            ("IE6433435IH", "IE6433435IH"),
            ("IE6433435OA", "IE6433435OA"),
            // Old form with + as second character: 0234561 weighs 92 ≡ 0 (mod 23) → W.
            ("IE 1+23456W", "IE1+23456W"),
        ]);
        assert_all_mismatch(&["IE8D79729I", "IE6433435IA", "IE1+23456A"]);
        assert!(reason("IE6433435IZ").starts_with("IE VAT ids have 7 digits"));
        // + and * only appear in old Irish ids.
        assert_eq!(
            reason("DE136+695976"),
            "contains '+', which DE VAT ids never do"
        );
    }

    #[test]
    fn spanish_dni_nie_cif_and_klm_forms() {
        assert_all_valid(&[
            ("ES 54362315K", "ES54362315K"),
            ("ES-x-2482300w", "ESX2482300W"),
            ("ES Y5277343F", "ESY5277343F"),
            ("ES J99216582", "ESJ99216582"),
            ("ES Q-2818015-F", "ESQ2818015F"),
            ("ES L1111111G", "ESL1111111G"),
        ]);
        assert_all_mismatch(&["ES54362315T", "ESX2482300X", "ESJ99216583", "ESL1111111C"]);
        assert_eq!(
            reason("ESI1234567A"),
            "ES VAT ids do not start with 'I' after ES"
        );
    }

    #[test]
    fn british_standard_new_branch_and_public_body_forms() {
        assert_all_valid(&[
            // Before 2010: weighted sum ≡ 0 (mod 97).
            ("GB 002 4257 28", "GB002425728"),
            // From 100 0000 00: weighted sum + 55 ≡ 0 (mod 97).
            ("GB 100 1950 75", "GB100195075"),
            ("GB 242338087388", "GB242338087388"),
            ("GBGD100", "GBGD100"),
            ("GB HA501", "GBHA501"),
            ("GBGD888810003", "GBGD888810003"),
            ("XI 980 7806 84", "XI980780684"),
        ]);
        // The 55 rule gives 42 here, but numbers below 100 0000 00 predate it.
        assert_all_mismatch(&["GB002425770", "GBHA888856700", "XI980780685"]);
        assert_eq!(reason("GBGD600"), "GB GD numbers are below 500, found 600");
        assert_eq!(
            reason("GBHA201"),
            "GB HA numbers are 500 or above, found 201"
        );
        assert!(reason("GB98078068").starts_with("GB VAT ids have 9 or 12 digits"));
    }

    #[test]
    fn country_maps_prefixes_to_iso_3166() {
        assert_eq!(country("EL094012834"), Some("GR"));
        assert_eq!(country("gr 094012834"), Some("GR"));
        assert_eq!(country("XI980780684"), Some("GB"));
        assert_eq!(country("GB980780684"), Some("GB"));
        assert_eq!(country("ATU13585627"), Some("AT"));
        assert_eq!(country("CHE-107.787.577 MWST"), Some("CH"));
        assert_eq!(country("DE 136 695 976"), Some("DE"));
        assert_eq!(country("US123"), None);
        assert_eq!(country("D"), None);
    }

    #[test]
    fn rules_cover_every_member_state_and_are_sorted() {
        let prefixes: Vec<&str> = RULES.iter().map(|rule| rule.prefix).collect();
        assert!(prefixes.windows(2).all(|w| w[0] < w[1]));
        for prefix in [
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
            "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
            "GB", "CH", "NO",
        ] {
            assert!(prefixes.contains(&prefix), "{prefix}");
        }
        assert_eq!(prefixes.len(), 31);
    }
}
