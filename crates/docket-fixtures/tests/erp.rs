//! The committed ERP JSON deserialises into the domain types, hangs together,
//! and every VAT id and IBAN carries valid check digits.

mod common;

use docket_domain::erp::{BookedInvoice, Customer, GoodsReceipt, Product, PurchaseOrder, Supplier};
use serde::de::DeserializeOwned;

fn load<T: DeserializeOwned>(file: &str) -> Vec<T> {
    let bytes = common::read_committed(&format!("erp/{file}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("erp/{file}: {e}"))
}

/// ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1.
fn iban_ok(iban: &str) -> bool {
    let lengths = [("DE", 22), ("NL", 18), ("IE", 22), ("FR", 27)];
    let Some((_, len)) = lengths.iter().find(|(cc, _)| iban.starts_with(cc)) else {
        return false;
    };
    if iban.len() != *len {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    let mut rem = 0u32;
    for ch in rearranged.chars() {
        let Some(v) = ch.to_digit(36) else {
            return false;
        };
        for d in v.to_string().chars() {
            rem = (rem * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// DE: ISO 7064 MOD 11,10 over the first eight digits.
fn de_ok(body: &str) -> bool {
    let Some(d) = digits(body).filter(|d| d.len() == 9) else {
        return false;
    };
    let mut product = 10;
    for &x in &d[..8] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    (11 - product) % 10 == d[8]
}

/// NL (legal entities): nine digits weighted 9..2 and -1 sum to 0 mod 11, then `B` and two digits.
fn nl_ok(body: &str) -> bool {
    let (num, suffix) = body.split_at(9.min(body.len()));
    let Some(d) = digits(num).filter(|d| d.len() == 9) else {
        return false;
    };
    let sum: i64 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| i64::from(x) * w)
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0 && suffix.len() == 3 && suffix.starts_with('B') && digits(&suffix[1..]).is_some()
}

/// IE (classic form): seven digits weighted 8..2, mod 23 gives the check letter (0 = W).
fn ie_ok(body: &str) -> bool {
    let Some(d) = digits(&body[..7.min(body.len())]).filter(|d| d.len() == 7) else {
        return false;
    };
    let sum: u32 = d.iter().zip((2..=8).rev()).map(|(&x, w)| x * w).sum();
    let letters = b"WABCDEFGHIJKLMNOPQRSTUV";
    body.len() == 8 && body.as_bytes()[7] == letters[(sum % 23) as usize]
}

/// FR: key = (12 + 3 * (SIREN mod 97)) mod 97, and the SIREN passes Luhn.
fn fr_ok(body: &str) -> bool {
    if body.len() != 11 {
        return false;
    }
    let (Ok(key), Ok(siren)) = (body[..2].parse::<u64>(), body[2..].parse::<u64>()) else {
        return false;
    };
    let luhn: u32 = body[2..]
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    key == (12 + 3 * (siren % 97)) % 97 && luhn.is_multiple_of(10)
}

fn vat_ok(vat: &str) -> bool {
    let (cc, body) = vat.split_at(2);
    match cc {
        "DE" => de_ok(body),
        "NL" => nl_ok(body),
        "IE" => ie_ok(body),
        "FR" => fr_ok(body),
        _ => false,
    }
}

#[test]
fn check_digit_helpers_know_published_examples() {
    assert!(vat_ok("NL004495445B01"));
    assert!(!vat_ok("NL004495446B01"));
    assert!(vat_ok("IE6388047V"));
    assert!(iban_ok("NL91ABNA0417164300"));
    assert!(iban_ok("DE89370400440532013000"));
    assert!(!iban_ok("DE89370400440532013001"));
    assert!(iban_ok("FR1420041010050500013M02606"));
}

#[test]
fn erp_files_deserialise_into_the_domain_types() {
    assert_eq!(load::<Supplier>("suppliers.json").len(), 6);
    assert!(!load::<PurchaseOrder>("purchase_orders.json").is_empty());
    assert!(!load::<GoodsReceipt>("goods_receipts.json").is_empty());
    assert_eq!(load::<BookedInvoice>("booked_invoices.json").len(), 3);
    assert_eq!(load::<Customer>("customers.json").len(), 3);
    assert_eq!(load::<Product>("products.json").len(), 4);
}

#[test]
fn supplier_vat_ids_and_ibans_have_valid_check_digits() {
    for s in load::<Supplier>("suppliers.json") {
        let vat = s.vat_id.as_deref().expect("every supplier has a VAT id");
        assert!(vat_ok(vat), "{}: VAT id {vat}", s.name);
        let checked =
            docket_domain::vat::validate(vat).unwrap_or_else(|e| panic!("{}: {vat}: {e}", s.name));
        assert_eq!(checked, vat);
        assert!(!s.ibans.is_empty(), "{} has no IBAN", s.name);
        for iban in &s.ibans {
            assert!(iban_ok(iban), "{}: IBAN {iban}", s.name);
            let checked = docket_domain::iban::validate(iban)
                .unwrap_or_else(|e| panic!("{}: {iban}: {e}", s.name));
            assert_eq!(&checked, iban);
        }
    }
    for c in load::<Customer>("customers.json") {
        let vat = c.vat_id.as_deref().expect("customer VAT id");
        assert!(vat_ok(vat), "{}: {vat}", c.name);
    }
}

#[test]
fn records_refer_to_each_other() {
    let suppliers = load::<Supplier>("suppliers.json");
    let pos = load::<PurchaseOrder>("purchase_orders.json");
    let line_exists = |po: &str, line: &str| {
        pos.iter()
            .any(|p| p.number == po && p.lines.iter().any(|l| l.line == line))
    };
    for po in &pos {
        assert!(
            suppliers.iter().any(|s| s.id == po.supplier_id),
            "{}: unknown supplier",
            po.number
        );
        assert!(po.number.starts_with("45000001"), "{}", po.number);
    }
    for gr in load::<GoodsReceipt>("goods_receipts.json") {
        assert!(gr.number.starts_with("50000001"), "{}", gr.number);
        assert!(
            line_exists(&gr.purchase_order, &gr.purchase_order_line),
            "{gr:?}"
        );
    }
    for inv in load::<BookedInvoice>("booked_invoices.json") {
        assert!(suppliers.iter().any(|s| s.id == inv.supplier_id));
        let net: rust_decimal::Decimal = inv.lines.iter().map(|l| l.amount).sum();
        assert!(inv.gross.amount >= net, "{}: gross below net", inv.erp_ref);
        for l in &inv.lines {
            assert!(
                line_exists(&l.purchase_order, &l.purchase_order_line),
                "{}: {l:?}",
                inv.erp_ref
            );
        }
    }
    for p in load::<Product>("products.json") {
        let gtin = p.gtin.expect("gtin");
        let d: Vec<u32> = gtin.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = d[..12]
            .iter()
            .enumerate()
            .map(|(i, x)| if i % 2 == 0 { *x } else { 3 * x })
            .sum();
        assert_eq!((10 - sum % 10) % 10, d[12], "{}: GTIN {gtin}", p.code);
    }
}
