//! Bulk sets: N seeded supplier documents and a sandbox ERP that fits them, for
//! benchmarks and fault tests (`docket-fixtures --bulk N --seed S --out DIR`).
//!
//! A bulk set is a [`World`] like the committed scenarios, so the same writers
//! produce it: `erp/*.json`, `inbox/*` (layout PDFs, Factur-X hybrids, UBL files,
//! mails with a PDF or UBL attached) and `expected.json`. Every invoice except
//! the unknown supplier's has a PO of its own. About 90 % of the documents book
//! (exactly, after a partial delivery, or with a price rise inside the 2 %
//! tolerance); the seed places the rest (a tenth, and at least one of each when
//! N >= 25): waiting for goods, price beyond tolerance, bank account not on
//! record, unknown supplier, duplicate of a booked invoice. The same (N, seed)
//! gives the same bytes; nothing reads a clock.

mod docs;
mod profiles;
pub mod rng;

use std::collections::BTreeMap;

use chrono::Days;

use crate::scenarios::parties::{KESTREL, SUPPLIERS};
use crate::scenarios::{Channel, World, d};
use crate::{OutputFile, erp, inbox_file};
use docs::Slot;
use profiles::{PROFILES, UNKNOWN};
use rng::Rng;

/// What a bulk document is built to make Docket decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Matches its PO and receipts: book.
    Booked,
    /// Its PO has no goods receipt yet: wait.
    Waiting,
    /// A unit price beyond the tolerance: exception.
    PriceBeyond,
    /// Pays into an account that is not on the master record: exception.
    BankNotOnRecord,
    /// From a supplier the ERP does not know: exception.
    UnknownSupplier,
    /// Already booked in the ERP: duplicate.
    Duplicate,
}

const SPECIAL: [Outcome; 5] = [
    Outcome::Waiting,
    Outcome::PriceBeyond,
    Outcome::BankNotOnRecord,
    Outcome::UnknownSupplier,
    Outcome::Duplicate,
];

/// Moves generated text into `'static` storage. The scenario types borrow
/// `'static` text because the committed scenarios are Rust constants; a bulk
/// set is built once per run, so what this leaks is bounded by the set (well
/// under a kilobyte per document).
pub(crate) fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The outcome of each document: booked, except a seeded tenth (at least one of
/// each special outcome once `n >= 25`) at seeded positions.
fn plan(n: usize, rng: &mut Rng) -> Vec<Outcome> {
    let mut special = (n + 5) / 10;
    if n >= 25 {
        special = special.max(SPECIAL.len());
    }
    let mut kinds = SPECIAL;
    rng.shuffle(&mut kinds);
    let mut positions: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut positions);
    let mut plan = vec![Outcome::Booked; n];
    for (k, &at) in positions.iter().take(special).enumerate() {
        plan[at] = kinds[k % kinds.len()];
    }
    plan
}

fn extension(channel: Channel) -> &'static str {
    match channel {
        Channel::Ubl => "xml",
        Channel::UblMail | Channel::PdfMail => "eml",
        Channel::None | Channel::Pdf | Channel::FacturX | Channel::DamagedPdf => "pdf",
    }
}

/// `0042-nordwind-re-2026-10233.pdf`: position, supplier, number; unique by position.
fn file_name(index: usize, width: usize, slug: &str, number: &str, channel: Channel) -> String {
    let number: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{:0width$}-{slug}-{number}.{}",
        index + 1,
        extension(channel)
    )
}

/// The bulk world for (`n`, `seed`): the six suppliers of the scenarios, one PO
/// with its receipts per document, and `n` inbox documents.
pub fn world(n: usize, seed: u64) -> anyhow::Result<World> {
    let mut rng = Rng::new(seed);
    let plan = plan(n, &mut rng);
    let mut counters: Vec<u64> = PROFILES
        .iter()
        .map(|p| p.first + rng.below(p.first / 2 + 1))
        .collect();
    let weights: Vec<(usize, u32)> = PROFILES
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.weight))
        .collect();
    let width = n.to_string().len().max(4);
    let start = d(2026, 1, 12);
    let mut world = World {
        buyer: &KESTREL,
        suppliers: SUPPLIERS.to_vec(),
        pos: Vec::new(),
        receipts: Vec::new(),
        cases: Vec::new(),
    };
    for (index, &outcome) in plan.iter().enumerate() {
        let mut rng = Rng::for_item(seed, index as u64);
        let which = match outcome {
            Outcome::UnknownSupplier => UNKNOWN,
            _ => *rng.weighted(&weights),
        };
        let profile = &PROFILES[which];
        let channel = *rng.weighted(profile.channels);
        counters[which] += rng.range(1, 9);
        let number = profile.number(counters[which]);
        // Invoice dates run through the year in file order, a day or two apart.
        let day = (index * 320 / n.max(1)) as u64 + rng.range(0, 2);
        let slot = Slot {
            index,
            file: leak(file_name(index, width, profile.slug, &number, channel)),
            number: leak(number),
            date: start.checked_add_days(Days::new(day)).unwrap_or(start),
            channel,
            outcome,
        };
        let built = docs::build(&slot, profile, &mut rng)?;
        world.pos.extend(built.po);
        world.receipts.extend(built.receipts);
        world.cases.push(built.case);
    }
    Ok(world)
}

/// The files of a bulk world: `erp/*.json`, `inbox/*` and `expected.json`.
pub fn files(world: &World) -> anyhow::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for (name, bytes) in erp::files(world)? {
        files.push(OutputFile {
            path: format!("erp/{name}"),
            bytes,
        });
    }
    let mut expected = BTreeMap::new();
    for case in world.inbox() {
        files.push(OutputFile {
            path: format!("inbox/{}", case.file),
            bytes: inbox_file(world, case)?,
        });
        if let Some(decision) = case.expected {
            expected.insert(case.file, decision.as_str());
        }
    }
    files.push(OutputFile {
        path: "expected.json".to_string(),
        bytes: erp::json(&expected)?,
    });
    Ok(files)
}

/// The files of the bulk set (`n`, `seed`).
pub fn generate(n: usize, seed: u64) -> anyhow::Result<Vec<OutputFile>> {
    files(&world(n, seed)?)
}

/// One line per count: expected decisions and channels.
pub fn summary(world: &World) -> String {
    let mut decisions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut channels: BTreeMap<&str, usize> = BTreeMap::new();
    for case in world.inbox() {
        let decision = case.expected.map(|d| d.as_str()).unwrap_or("-");
        *decisions.entry(decision).or_default() += 1;
        let channel = match case.channel {
            Channel::Pdf => "layout PDF",
            Channel::FacturX => "Factur-X PDF",
            Channel::Ubl => "UBL XML",
            Channel::UblMail => "mail with UBL",
            Channel::PdfMail => "mail with PDF",
            Channel::DamagedPdf => "damaged PDF",
            Channel::None => "none",
        };
        *channels.entry(channel).or_default() += 1;
    }
    let list = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "expected: {}\nformats: {}",
        list(&decisions),
        list(&channels)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_has_a_tenth_special_and_every_kind_from_25() {
        let plan = plan(40, &mut Rng::new(3));
        let special = plan.iter().filter(|o| **o != Outcome::Booked).count();
        assert_eq!(special, 5);
        assert!(SPECIAL.iter().all(|k| plan.contains(k)));
        let plan = super::plan(500, &mut Rng::new(3));
        assert_eq!(plan.iter().filter(|o| **o != Outcome::Booked).count(), 50);
        assert!(super::plan(0, &mut Rng::new(3)).is_empty());
    }

    #[test]
    fn file_names_carry_position_supplier_and_number() {
        assert_eq!(
            file_name(41, 4, "nordwind", "RE-2026-10233", Channel::PdfMail),
            "0042-nordwind-re-2026-10233.eml"
        );
    }
}
