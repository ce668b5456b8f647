//! An invoice resolved against its purchase orders, with exact totals.
//!
//! Every renderer (PDF layouts, CII, UBL) and the ERP's booked invoices read the
//! same [`View`], so a printed total, an XML total and a booked gross cannot
//! disagree. Amounts are rounded commercially (half away from zero) per line and
//! per VAT rate, as invoicing software does.

use chrono::{Days, NaiveDate};
use docket_domain::DocumentKind;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::scenarios::{Bank, Case, Company, Invoice, LineRef, Unit, World};

/// One resolved invoice line.
#[derive(Debug, Clone)]
pub struct ViewLine {
    /// Position on the invoice (1, 2, ...).
    pub pos: usize,
    /// The PO and PO line it bills, where it bills one.
    pub po: Option<(&'static str, &'static str)>,
    /// Supplier's article number.
    pub seller_item: &'static str,
    /// Our material number, where the line bills a PO line.
    pub buyer_item: Option<&'static str>,
    /// Description.
    pub description: &'static str,
    /// Quantity (positive, also on a credit note).
    pub quantity: Decimal,
    /// Unit.
    pub unit: Unit,
    /// Net unit price.
    pub price: Decimal,
    /// Net line amount (positive, also on a credit note).
    pub amount: Decimal,
}

/// One VAT breakdown row.
#[derive(Debug, Clone)]
pub struct TaxRow {
    /// EN 16931 VAT category: `S` standard, `K` intra-community supply.
    pub category: &'static str,
    /// Rate in percent.
    pub rate: Decimal,
    /// Taxable base.
    pub base: Decimal,
    /// Tax.
    pub tax: Decimal,
}

/// A document ready to render.
#[derive(Debug, Clone)]
pub struct View<'w> {
    /// The case it belongs to.
    pub case: &'w Case,
    /// The invoice data.
    pub inv: &'w Invoice,
    /// Issuer.
    pub seller: &'static Company,
    /// Recipient (Kestrel).
    pub buyer: &'static Company,
    /// Lines.
    pub lines: Vec<ViewLine>,
    /// Sum of line amounts.
    pub net: Decimal,
    /// VAT breakdown (one rate per document in these scenarios).
    pub taxes: Vec<TaxRow>,
    /// Total VAT.
    pub tax: Decimal,
    /// Gross total (positive; see [`View::sign`]).
    pub gross: Decimal,
    /// Due date.
    pub due: NaiveDate,
    /// The account printed for payment.
    pub bank: &'static Bank,
    /// PO numbers named, in order of first appearance.
    pub purchase_orders: Vec<&'static str>,
}

/// Rounds to cents, half away from zero.
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl<'w> View<'w> {
    /// Resolves a case's invoice against the world's purchase orders.
    pub fn new(world: &'w World, case: &'w Case) -> anyhow::Result<Self> {
        let inv = &case.invoice;
        let seller = inv.supplier;
        let mut lines = Vec::new();
        let mut purchase_orders: Vec<&'static str> = Vec::new();
        for (i, l) in inv.lines.iter().enumerate() {
            let (po, seller_item, buyer_item, description, unit, po_price) = match &l.what {
                LineRef::Po(number, line) => {
                    let order = world
                        .po(number)
                        .ok_or_else(|| anyhow::anyhow!("{}: no PO {number}", inv.number))?;
                    anyhow::ensure!(
                        order.supplier.vat_id == seller.vat_id,
                        "{}: PO {number} belongs to another supplier",
                        inv.number
                    );
                    let pl = order
                        .lines
                        .iter()
                        .find(|p| p.line == *line)
                        .ok_or_else(|| {
                            anyhow::anyhow!("{}: no line {line} on PO {number}", inv.number)
                        })?;
                    if !purchase_orders.contains(number) {
                        purchase_orders.push(number);
                    }
                    (
                        Some((*number, *line)),
                        pl.supplier_item_code,
                        Some(pl.item_code),
                        pl.description,
                        pl.unit,
                        Some(pl.price),
                    )
                }
                LineRef::Free(item) => (None, item.code, None, item.description, item.unit, None),
            };
            let price = l
                .price
                .or(po_price)
                .ok_or_else(|| anyhow::anyhow!("{}: line {} has no price", inv.number, i + 1))?;
            lines.push(ViewLine {
                pos: i + 1,
                po,
                seller_item,
                buyer_item,
                description,
                quantity: l.quantity,
                unit,
                price,
                amount: cents(l.quantity * price),
            });
        }
        let net: Decimal = lines.iter().map(|l| l.amount).sum();
        let domestic = seller.country == world.buyer.country;
        let (category, rate) = if domestic {
            ("S", Decimal::from(19))
        } else {
            ("K", Decimal::ZERO)
        };
        let tax = cents(net * rate / Decimal::ONE_HUNDRED);
        let bank = match inv.pay_to {
            Some(b) => b,
            None => seller
                .banks
                .first()
                .ok_or_else(|| anyhow::anyhow!("{} has no bank", seller.name))?,
        };
        let due = inv
            .date
            .checked_add_days(Days::new(inv.due_days.unsigned_abs()))
            .unwrap_or(inv.date);
        Ok(View {
            case,
            inv,
            seller,
            buyer: world.buyer,
            lines,
            net,
            taxes: vec![TaxRow {
                category,
                rate,
                base: net,
                tax,
            }],
            tax,
            gross: net + tax,
            due,
            bank,
            purchase_orders,
        })
    }

    /// Whether this is a credit note.
    pub fn is_credit(&self) -> bool {
        self.inv.kind == DocumentKind::CreditNote
    }

    /// `-1` for a credit note (printed with negative amounts), else `1`.
    pub fn sign(&self) -> Decimal {
        if self.is_credit() {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        }
    }

    /// Whether VAT is charged (domestic) or the buyer accounts for it (intra-EU).
    pub fn reverse_charge(&self) -> bool {
        self.taxes.iter().all(|t| t.category != "S")
    }
}
