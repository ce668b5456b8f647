//! Units of measure: the same unit written differently compares equal, and
//! a line invoiced in another unit than the PO's is converted with the PO
//! line's conversions (a box of 12 on a PO in pieces).

use docket_domain::erp::PurchaseOrderLine;
use rust_decimal::Decimal;

/// Spellings of one unit, the UN/ECE recommendation 20 code first.
const SYNONYMS: &[&[&str]] = &[
    &[
        "C62", "H87", "EA", "PCE", "PC", "PCS", "ST", "STK", "STCK", "STÜCK", "STUECK", "PIECE",
        "PIECES", "EACH", "UNIT", "UNITS", "XPP",
    ],
    &["KGM", "KG", "KILO", "KILOGRAM"],
    &["GRM", "G", "GR", "GRAMM", "GRAM"],
    &["TNE", "T", "TONNE", "TON"],
    &["MTR", "M", "METER", "METRE"],
    &["MTK", "M2", "M²", "QM"],
    &["MTQ", "M3", "M³", "CBM"],
    &["LTR", "L", "LT", "LITER", "LITRE"],
    &[
        "HUR", "H", "HR", "HRS", "STD", "STUNDE", "STUNDEN", "HOUR", "HOURS",
    ],
    &["DAY", "D", "TAG", "TAGE", "DAYS"],
    &["MON", "MONAT", "MONTH", "MONTHS"],
    &[
        "PK", "PAK", "PACK", "PACKUNG", "PAKET", "XPK", "PKG", "PAQUET",
    ],
    &["BX", "BOX", "KARTON", "KRT", "XBX", "CT", "CTN"],
    &["SET", "SATZ", "XSET", "LOT"],
    &["PR", "PAAR", "PAIR"],
    &[
        "RO", "ROLLE", "ROLLEN", "ROLL", "ROL", "REEL", "ROULEAU", "XRO",
    ],
    &[
        "CA", "XCI", "CI", "KAN", "KANISTER", "CAN", "CANISTER", "BIDON",
    ],
    &["BG", "XBG", "BTL", "BEUTEL", "BAG", "SACK", "SAC", "ZAK"],
    &["BO", "XBO", "FL", "FLASCHE", "BOTTLE", "BOUTEILLE", "FLES"],
    &["PF", "PAL", "PALETTE", "PALLET", "XPX"],
    &["LS", "PAUSCHAL", "LUMP SUM", "PSCH"],
];

/// The canonical spelling of a unit (its UN/ECE code where the table knows it).
pub fn canonical(unit: &str) -> String {
    let upper = unit.trim().trim_end_matches('.').to_uppercase();
    SYNONYMS
        .iter()
        .find(|names| names.contains(&upper.as_str()))
        .map_or(upper, |names| names[0].to_string())
}

/// How many PO units one document unit is: 1 for the same unit (or none
/// given), the conversion's factor for an alternative unit, `None` when the
/// PO line knows no way from one to the other.
pub fn factor_to_order_unit(
    document_unit: Option<&str>,
    po_line: &PurchaseOrderLine,
) -> Option<Decimal> {
    let Some(unit) = document_unit.map(canonical).filter(|u| !u.is_empty()) else {
        return Some(Decimal::ONE);
    };
    if unit == canonical(&po_line.unit) {
        return Some(Decimal::ONE);
    }
    po_line
        .unit_conversions
        .iter()
        .find(|c| canonical(&c.unit) == unit)
        .map(|c| c.factor)
        .filter(|f| !f.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_a_unit_compare_equal() {
        assert_eq!(canonical("Stk."), "C62");
        assert_eq!(canonical("pcs"), "C62");
        assert_eq!(canonical("H87"), "C62");
        assert_eq!(canonical("kg"), "KGM");
        assert_eq!(canonical("Palette"), "PF");
        assert_eq!(canonical("Kan."), canonical("XCI"));
        assert_eq!(canonical("rol"), canonical("RO"));
        assert_eq!(canonical("FOO"), "FOO");
    }
}
