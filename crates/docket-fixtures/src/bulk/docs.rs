//! One bulk document: its purchase order, goods receipts and the invoice, built
//! so that the intended decision follows from the ERP data.
//!
//! Invoices bill whole units at prices with two decimals, so every line amount
//! is exact; a domestic invoice whose 19 % VAT would fall on a half cent is
//! drawn again (rounding rules differ there, and the committed fixtures avoid
//! it too).

use chrono::{Days, NaiveDate};
use docket_domain::{Decision, DocumentKind};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::profiles::Profile;
use super::rng::Rng;
use super::{Outcome, leak};
use crate::model::cents;
use crate::scenarios::catalogue::Article;
use crate::scenarios::parties::UNRECORDED_BANK;
use crate::scenarios::{
    Booked, Case, Channel, FreeItem, InvLine, Invoice, LineRef, Po, PoLine, Receipt,
};

const PO_LINES: [&str; 8] = ["10", "20", "30", "40", "50", "60", "70", "80"];
const GR_ITEMS: [&str; 8] = ["1", "2", "3", "4", "5", "6", "7", "8"];

/// Where a document sits in the set: everything decided before its content.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Position in the set (0-based).
    pub index: usize,
    /// Inbox file name.
    pub file: &'static str,
    /// Invoice number.
    pub number: &'static str,
    /// Invoice date.
    pub date: NaiveDate,
    /// How it arrives.
    pub channel: Channel,
    /// What Docket must decide.
    pub outcome: Outcome,
}

/// A document and the ERP records that belong to it.
#[derive(Debug, Clone)]
pub struct Built {
    /// Its purchase order (none for the unknown supplier).
    pub po: Option<Po>,
    /// Goods receipts against that order.
    pub receipts: Vec<Receipt>,
    /// The invoice, how it arrives, and what Docket must decide.
    pub case: Case,
}

/// Builds the document for `slot`, drawing again while its VAT would fall on a half cent.
pub fn build(slot: &Slot, profile: &'static Profile, rng: &mut Rng) -> anyhow::Result<Built> {
    for _ in 0..100 {
        let built = attempt(slot, profile, rng);
        if !vat_on_half_cent(&built) {
            return Ok(built);
        }
    }
    anyhow::bail!("{}: no draw without a half-cent VAT", slot.number)
}

fn days_before(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

fn days_after(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// A negotiated price: the list price -10 % .. +10 %, in cents.
fn negotiated(list: Decimal, rng: &mut Rng) -> Decimal {
    let factor = Decimal::new(900 + rng.range(0, 200) as i64, 3);
    cents(list * factor).max(dec!(0.01))
}

/// A quantity that suits the price: cheap parts by the hundred, dear ones by the piece.
fn quantity(price: Decimal, rng: &mut Rng) -> u64 {
    if price < dec!(1) {
        100 * rng.range(1, 30)
    } else if price < dec!(5) {
        10 * rng.range(1, 40)
    } else if price < dec!(25) {
        rng.range(1, 60)
    } else if price < dec!(100) {
        rng.range(1, 20)
    } else {
        rng.range(1, 8)
    }
}

/// A partial delivery of `ordered` in the same packing steps (none if it cannot be split).
fn part_of(ordered: u64, rng: &mut Rng) -> Option<u64> {
    let step = if ordered >= 200 && ordered.is_multiple_of(100) {
        100
    } else if ordered >= 20 && ordered.is_multiple_of(10) {
        10
    } else {
        1
    };
    let units = ordered / step;
    (units >= 2).then(|| step * rng.range(1, units - 1))
}

/// A price above `price` by a rate drawn from the `per_mille` range, in whole
/// cents (at least one): rounded down when `down` (to stay inside a tolerance),
/// else up (to stay beyond it).
fn raised(price: Decimal, per_mille: (u64, u64), down: bool, rng: &mut Rng) -> Decimal {
    let rate = Decimal::new(rng.range(per_mille.0, per_mille.1) as i64, 3);
    let delta = price * rate * Decimal::ONE_HUNDRED;
    let delta = if down { delta.floor() } else { delta.ceil() };
    price + delta.max(Decimal::ONE) / Decimal::ONE_HUNDRED
}

fn pick_articles(profile: &'static Profile, rng: &mut Rng) -> Vec<&'static Article> {
    let mut articles: Vec<&'static Article> = profile.articles.iter().collect();
    rng.shuffle(&mut articles);
    articles.truncate(rng.range(1, 8) as usize);
    articles
}

fn attempt(slot: &Slot, profile: &'static Profile, rng: &mut Rng) -> Built {
    let company = profile.company;
    let mut invoice = Invoice {
        number: slot.number,
        supplier: company,
        kind: DocumentKind::Invoice,
        date: slot.date,
        delivery_date: days_before(slot.date, rng.range(0, 3)),
        due_days: profile.due_days,
        lines: Vec::new(),
        order_text: None,
        pay_to: None,
        corrects: None,
        remark: None,
    };
    let mut case = Case {
        file: slot.file,
        invoice: invoice.clone(),
        channel: slot.channel,
        booked: None,
        expected: Some(slot.outcome.decision()),
        story: slot.outcome.story(),
    };
    if slot.outcome == Outcome::UnknownSupplier {
        invoice.lines = pick_articles(profile, rng)
            .into_iter()
            .map(|a| {
                let price = negotiated(a.4, rng);
                InvLine {
                    what: LineRef::Free(FreeItem {
                        code: a.0,
                        description: a.2,
                        unit: a.3,
                    }),
                    quantity: Decimal::from(quantity(price, rng)),
                    price: Some(price),
                }
            })
            .collect();
        let called = days_before(slot.date, rng.range(3, 10));
        invoice.order_text = Some(leak(format!(
            "telefonisch, Frau Okafor, {}",
            called.format("%d.%m.%Y")
        )));
        case.invoice = invoice;
        return Built {
            po: None,
            receipts: Vec::new(),
            case,
        };
    }

    let po_number = leak(format!("45{:08}", 10_000_001 + slot.index));
    let po_date = days_before(slot.date, rng.range(12, 40));
    let mut po = Po {
        number: po_number,
        supplier: company,
        date: po_date,
        lines: Vec::new(),
    };
    for (j, a) in pick_articles(profile, rng).into_iter().enumerate() {
        let price = negotiated(a.4, rng);
        po.lines.push(PoLine {
            line: PO_LINES[j],
            item_code: a.1,
            supplier_item_code: a.0,
            description: a.2,
            quantity: Decimal::from(quantity(price, rng)),
            unit: a.3,
            price,
        });
    }
    // What was received and what is billed, per PO line; the PO's prices unless changed.
    let mut received: Vec<Decimal> = po.lines.iter().map(|l| l.quantity).collect();
    let mut billed_price: Vec<Option<Decimal>> = vec![None; po.lines.len()];
    let j = rng.index(po.lines.len());
    match slot.outcome {
        Outcome::Booked => match rng.range(0, 99) {
            // A partial delivery, billed as far as it was received.
            0..=14 => {
                let ordered = u64::try_from(po.lines[j].quantity).unwrap_or(0);
                if let Some(part) = part_of(ordered, rng) {
                    received[j] = Decimal::from(part);
                }
            }
            // A small price rise, inside the 2 % tolerance.
            15..=24 if po.lines[j].price >= dec!(2) => {
                billed_price[j] = Some(raised(po.lines[j].price, (5, 15), true, rng));
            }
            _ => {}
        },
        Outcome::PriceBeyond => {
            billed_price[j] = Some(raised(po.lines[j].price, (40, 150), false, rng));
        }
        Outcome::BankNotOnRecord => {
            invoice.pay_to = Some(&UNRECORDED_BANK);
            invoice.remark = profile.bank_remark;
        }
        Outcome::Duplicate => {
            let erp_ref = leak(format!("51057{:05}", slot.index + 1));
            let by_docket = rng.percent(30);
            case.booked = Some(Booked { erp_ref, by_docket });
        }
        Outcome::Waiting | Outcome::UnknownSupplier => {}
    }
    if invoice.pay_to.is_none() && company.banks.len() > 1 && rng.percent(20) {
        invoice.pay_to = company.banks.get(1);
    }
    invoice.lines = po
        .lines
        .iter()
        .zip(&received)
        .zip(&billed_price)
        .map(|((l, &quantity), &price)| InvLine {
            what: LineRef::Po(po_number, l.line),
            quantity,
            price,
        })
        .collect();

    let mut receipts = Vec::new();
    if slot.outcome != Outcome::Waiting {
        let gap = u64::try_from((slot.date - po_date).num_days()).unwrap_or(12);
        let gr_date = days_after(po_date, rng.range(3, gap - 1));
        invoice.delivery_date = gr_date;
        let gr_number = leak(format!("50{:08}", 10_000_001 + slot.index));
        for (j, (l, &quantity)) in po.lines.iter().zip(&received).enumerate() {
            receipts.push(Receipt {
                number: gr_number,
                item: GR_ITEMS[j],
                po: po_number,
                po_line: l.line,
                quantity,
                date: gr_date,
            });
        }
    }
    case.invoice = invoice;
    Built {
        po: Some(po),
        receipts,
        case,
    }
}

/// Whether the invoice is domestic and its 19 % VAT is exactly half a cent.
fn vat_on_half_cent(built: &Built) -> bool {
    let inv = &built.case.invoice;
    if inv.supplier.country != "DE" {
        return false;
    }
    let net: Decimal = inv
        .lines
        .iter()
        .map(|l| {
            let po_price = match l.what {
                LineRef::Po(_, line) => built
                    .po
                    .as_ref()
                    .and_then(|po| po.lines.iter().find(|p| p.line == line))
                    .map(|p| p.price),
                LineRef::Free(_) => None,
            };
            l.quantity * l.price.or(po_price).unwrap_or_default()
        })
        .sum();
    (net * dec!(19)).fract() == dec!(0.5)
}

impl Outcome {
    /// The decision Docket must reach.
    pub fn decision(self) -> Decision {
        match self {
            Outcome::Booked => Decision::Booked,
            Outcome::Waiting => Decision::Waiting,
            Outcome::PriceBeyond | Outcome::BankNotOnRecord | Outcome::UnknownSupplier => {
                Decision::Exception
            }
            Outcome::Duplicate => Decision::Duplicate,
        }
    }

    /// Why, in one sentence.
    pub fn story(self) -> &'static str {
        match self {
            Outcome::Booked => "PO received as billed, prices within 2 %, IBAN on record.",
            Outcome::Waiting => "PO exists and prices match, but nothing has been received yet.",
            Outcome::PriceBeyond => "One line is billed 4-15 % above the PO price.",
            Outcome::BankNotOnRecord => "The printed IBAN is valid but not on the master record.",
            Outcome::UnknownSupplier => "The supplier is not in the ERP and no PO is named.",
            Outcome::Duplicate => "The same invoice is already booked in the ERP.",
        }
    }
}
