//! Builders of ERP snapshots and documents for the scenario suite and the
//! property tests: a small world (two suppliers, one PO fully received) and
//! an invoice that matches it exactly, which each case changes a little.
//!
//! A [`Doc`] is a compact description; [`Doc::build`] turns it into the
//! `BusinessDocument` extraction would produce, with the VAT breakdown and
//! the totals computed from the lines unless a case says otherwise.

#![allow(dead_code)]

use chrono::NaiveDate;
use docket_domain::erp::{
    BookedInvoice, BookedLine, ErpSnapshot, GoodsReceipt, PurchaseOrder, PurchaseOrderLine,
    Supplier, UnitConversion,
};
use docket_domain::{
    AllowanceCharge, BankAccount, BusinessDocument, Confidence, Currency, DocumentKind, Evidence,
    ExtractorKind, Field, Line, Money, SourceSyntax, TaxSubtotal,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Nordwind Bürobedarf GmbH (DE): the supplier of most cases.
pub const NORDWIND: &str = "100101";
pub const NORDWIND_VAT: &str = "DE273819459";
pub const NORDWIND_IBAN: &str = "DE12200505501283746510";
pub const NORDWIND_DOMAIN: &str = "nordwind-buero.example";
/// Van Leeuwen Verpakkingen B.V. (NL).
pub const LEEUWEN: &str = "100102";
pub const LEEUWEN_VAT: &str = "NL819403520B01";
pub const LEEUWEN_IBAN: &str = "NL59RABO0312847564";
/// An IBAN and a VAT id no supplier has on record.
pub const STRANGE_IBAN: &str = "GB82WEST12345698765432";
pub const STRANGE_VAT: &str = "DE268371427";

/// Nordwind's PO: line 10 = 100 x A-1 at 5.00, line 20 = 4 x B-2 at 12.50.
pub const PO: &str = "4500000001";

/// The document date of every case.
pub fn date() -> NaiveDate {
    day(2026, 11, 2)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

pub fn supplier(id: &str, name: &str, country: &str, vat: &str, iban: &str) -> Supplier {
    Supplier {
        id: id.into(),
        name: name.into(),
        vat_id: Some(vat.into()),
        tax_number: None,
        country: Some(country.into()),
        ibans: vec![iban.into()],
        email_domains: Vec::new(),
        posting_blocked: false,
        payment_blocked: false,
    }
}

pub fn nordwind() -> Supplier {
    Supplier {
        email_domains: vec![NORDWIND_DOMAIN.into()],
        ..supplier(
            NORDWIND,
            "Nordwind Bürobedarf GmbH",
            "DE",
            NORDWIND_VAT,
            NORDWIND_IBAN,
        )
    }
}

pub fn leeuwen() -> Supplier {
    Supplier {
        email_domains: vec!["vanleeuwen-verpakkingen.example".into()],
        ..supplier(
            LEEUWEN,
            "Van Leeuwen Verpakkingen B.V.",
            "NL",
            LEEUWEN_VAT,
            LEEUWEN_IBAN,
        )
    }
}

/// A goods-receipt-based PO line in pieces, price per 1.
pub fn po_line(
    line: &str,
    item: &str,
    description: &str,
    qty: Decimal,
    price: Decimal,
) -> PurchaseOrderLine {
    PurchaseOrderLine {
        line: line.into(),
        item_code: Some(item.into()),
        supplier_item_code: None,
        description: description.into(),
        quantity: qty,
        unit: "PCE".into(),
        unit_price: price,
        price_unit: Decimal::ONE,
        tax_rate: Some(dec!(19)),
        goods_receipt_based: true,
        unit_conversions: Vec::new(),
    }
}

/// A PO line with an alternative unit (`factor` order units per `unit`).
pub fn converting(mut line: PurchaseOrderLine, unit: &str, factor: Decimal) -> PurchaseOrderLine {
    line.unit_conversions.push(UnitConversion {
        unit: unit.into(),
        factor,
    });
    line
}

pub fn order(number: &str, supplier: &str, lines: Vec<PurchaseOrderLine>) -> PurchaseOrder {
    PurchaseOrder {
        number: number.into(),
        supplier_id: supplier.into(),
        order_date: day(2026, 10, 15),
        currency: Currency::EUR,
        company: None,
        planned_delivery_costs: None,
        closed: false,
        lines,
    }
}

/// The PO lines of [`PO`].
pub fn paper() -> PurchaseOrderLine {
    po_line("10", "A-1", "Kopierpapier A4 80 g", dec!(100), dec!(5.00))
}

pub fn toner() -> PurchaseOrderLine {
    po_line("20", "B-2", "Toner schwarz", dec!(4), dec!(12.50))
}

/// A goods receipt of `qty` on a PO line (negative: a reversal).
pub fn receipt(po: &str, line: &str, qty: Decimal) -> GoodsReceipt {
    let number = format!(
        "50{}{}",
        &po[po.len().min(4)..],
        line.trim_start_matches('0')
    );
    GoodsReceipt {
        number,
        item: "1".into(),
        purchase_order: po.into(),
        purchase_order_line: line.into(),
        quantity: qty,
        date: day(2026, 10, 28),
    }
}

/// A booked invoice or credit note of Nordwind's: (PO, PO line, quantity, amount) per line.
pub fn booked(
    erp_ref: &str,
    number: &str,
    kind: DocumentKind,
    gross: Decimal,
    lines: &[(&str, &str, Decimal, Decimal)],
) -> BookedInvoice {
    BookedInvoice {
        erp_ref: erp_ref.into(),
        supplier_id: NORDWIND.into(),
        supplier_reference: number.into(),
        kind,
        document_date: day(2026, 10, 20),
        gross: Money::new(gross, Currency::EUR),
        lines: lines
            .iter()
            .map(|(po, line, qty, amount)| BookedLine {
                purchase_order: (*po).into(),
                purchase_order_line: (*line).into(),
                quantity: *qty,
                amount: *amount,
                goods_receipt: None,
                account: None,
            })
            .collect(),
        idempotency_key: None,
        reversed: false,
    }
}

/// The world of most cases: Nordwind and Van Leeuwen; PO [`PO`] of
/// Nordwind, fully received; nothing booked yet.
pub fn world() -> ErpSnapshot {
    ErpSnapshot {
        suppliers: vec![nordwind(), leeuwen()],
        purchase_orders: vec![order(PO, NORDWIND, vec![paper(), toner()])],
        goods_receipts: vec![receipt(PO, "10", dec!(100)), receipt(PO, "20", dec!(4))],
        ..ErpSnapshot::default()
    }
}

/// One document line.
#[derive(Debug, Clone, PartialEq)]
pub struct L {
    pub item: Option<String>,
    pub description: Option<String>,
    pub qty: Decimal,
    pub unit: Option<String>,
    pub price: Decimal,
    /// How many units the price is for (absent: 1).
    pub price_unit: Option<Decimal>,
    /// The amount printed; absent: qty x price / price unit, rounded to cents.
    pub amount: Option<Decimal>,
    pub po: Option<String>,
    pub po_line: Option<String>,
}

impl L {
    /// A line with our item code (as the seller's item id) and a description.
    pub fn item(item: &str, description: &str, qty: Decimal, price: Decimal) -> L {
        L {
            item: Some(item.into()),
            description: Some(description.into()),
            qty,
            unit: Some("PCE".into()),
            price,
            price_unit: None,
            amount: None,
            po: None,
            po_line: None,
        }
    }

    /// A line with only a description (freight, a discount): 1 x `amount`.
    pub fn text(description: &str, amount: Decimal) -> L {
        L {
            item: None,
            description: Some(description.into()),
            qty: Decimal::ONE,
            unit: None,
            price: amount,
            price_unit: None,
            amount: None,
            po: None,
            po_line: None,
        }
    }

    pub fn paper(qty: Decimal, price: Decimal) -> L {
        L::item("A-1", "Kopierpapier A4 80 g", qty, price)
    }

    pub fn toner(qty: Decimal, price: Decimal) -> L {
        L::item("B-2", "Toner schwarz", qty, price)
    }

    /// The line names its PO and PO line.
    pub fn on(mut self, po: &str, line: &str) -> L {
        self.po = Some(po.into());
        self.po_line = Some(line.into());
        self
    }

    pub fn amount(&self) -> Decimal {
        self.amount.unwrap_or_else(|| {
            (self.qty * self.price / self.price_unit.unwrap_or(Decimal::ONE)).round_dp(2)
        })
    }
}

/// A document-level allowance (`false`) or charge (`true`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ac {
    pub is_charge: bool,
    pub amount: Decimal,
    pub reason: String,
}

/// A compact description of an extracted document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub kind: DocumentKind,
    pub number: String,
    pub date: NaiveDate,
    pub currency: Currency,
    pub seller_name: Option<String>,
    pub vat_id: Option<String>,
    pub ibans: Vec<String>,
    pub purchase_orders: Vec<String>,
    pub preceding_invoices: Vec<String>,
    pub lines: Vec<L>,
    pub allowances_charges: Vec<Ac>,
    /// The VAT rate of every line.
    pub vat_rate: Decimal,
    /// Added to the net total the lines make (a document whose net is off).
    pub net_off: Decimal,
    /// Added to the gross total net + VAT make.
    pub gross_off: Decimal,
    /// Fields read with low confidence: `number`, `gross`, `iban`, `po`,
    /// `line1.quantity`, `line2.unit_price`, ...
    pub unsure: Vec<String>,
}

/// The confidence of a field read with low confidence.
pub const UNSURE: f32 = 0.5;

impl Doc {
    /// Nordwind's invoice RE-2026-1001 on [`PO`], exactly as ordered:
    /// 100 x A-1 at 5.00 and 4 x B-2 at 12.50, 19 % VAT (550.00 + 104.50).
    pub fn invoice() -> Doc {
        Doc {
            kind: DocumentKind::Invoice,
            number: "RE-2026-1001".into(),
            date: date(),
            currency: Currency::EUR,
            seller_name: Some("Nordwind Bürobedarf GmbH".into()),
            vat_id: Some(NORDWIND_VAT.into()),
            ibans: vec![NORDWIND_IBAN.into()],
            purchase_orders: vec![PO.into()],
            preceding_invoices: Vec::new(),
            lines: vec![
                L::paper(dec!(100), dec!(5.00)),
                L::toner(dec!(4), dec!(12.50)),
            ],
            allowances_charges: Vec::new(),
            vat_rate: dec!(19),
            net_off: Decimal::ZERO,
            gross_off: Decimal::ZERO,
            unsure: Vec::new(),
        }
    }

    /// A credit note `number` of Nordwind's crediting invoice `credits`, naming no PO.
    pub fn credit_note(number: &str, credits: &str, lines: Vec<L>) -> Doc {
        Doc {
            kind: DocumentKind::CreditNote,
            number: number.into(),
            purchase_orders: Vec::new(),
            preceding_invoices: vec![credits.into()],
            lines,
            ..Doc::invoice()
        }
    }

    /// The sum of the line amounts.
    pub fn line_total(&self) -> Decimal {
        self.lines.iter().map(L::amount).sum()
    }

    /// The net total: lines, plus charges, minus allowances, plus [`Doc::net_off`].
    pub fn net(&self) -> Decimal {
        let charges: Decimal = self
            .allowances_charges
            .iter()
            .map(|ac| if ac.is_charge { ac.amount } else { -ac.amount })
            .sum();
        self.line_total() + charges + self.net_off
    }

    /// The VAT on what the lines and document charges make (not on [`Doc::net_off`]).
    pub fn tax(&self) -> Decimal {
        ((self.net() - self.net_off) * self.vat_rate / Decimal::ONE_HUNDRED).round_dp(2)
    }

    pub fn gross(&self) -> Decimal {
        self.net() + self.tax() + self.gross_off
    }

    fn field<T>(&self, name: &str, value: T) -> Field<T> {
        let confidence = if self.unsure.iter().any(|u| u == name) {
            UNSURE
        } else {
            SURE
        };
        Field {
            value,
            confidence: Confidence::new(confidence),
            evidence: evidence(),
        }
    }

    fn money(&self, name: &str, amount: Decimal) -> Field<Money> {
        self.field(name, Money::new(amount, self.currency))
    }

    /// The document extraction would produce.
    pub fn build(&self) -> BusinessDocument {
        let mut doc = BusinessDocument::empty(self.field("kind", self.kind), SourceSyntax::Cii);
        doc.header.number = Some(self.field("number", self.number.clone()));
        doc.header.issue_date = Some(self.field("date", self.date));
        doc.header.currency = Some(self.field("currency", self.currency));
        doc.seller.name = self
            .seller_name
            .as_ref()
            .map(|n| self.field("name", n.clone()));
        doc.seller.vat_id = self
            .vat_id
            .as_ref()
            .map(|v| self.field("vat_id", v.clone()));
        doc.seller.bank_accounts = self
            .ibans
            .iter()
            .map(|iban| BankAccount {
                iban: self.field("iban", iban.clone()),
                bic: None,
                holder: None,
            })
            .collect();
        doc.references.purchase_orders = self
            .purchase_orders
            .iter()
            .map(|po| self.field("po", po.clone()))
            .collect();
        doc.references.preceding_invoices = self
            .preceding_invoices
            .iter()
            .map(|n| self.field("preceding_invoice", n.clone()))
            .collect();
        doc.lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let name = |field: &str| format!("line{}.{field}", i + 1);
                Line {
                    id: Some(self.field(&name("id"), (i + 1).to_string())),
                    seller_item_id: l
                        .item
                        .as_ref()
                        .map(|c| self.field(&name("item"), c.clone())),
                    description: l
                        .description
                        .as_ref()
                        .map(|d| self.field(&name("description"), d.clone())),
                    quantity: Some(self.field(&name("quantity"), l.qty)),
                    unit: l
                        .unit
                        .as_ref()
                        .map(|u| self.field(&name("unit"), u.clone())),
                    unit_price: Some(self.money(&name("unit_price"), l.price)),
                    price_unit: l.price_unit.map(|p| self.field(&name("price_unit"), p)),
                    tax_rate: Some(self.field(&name("tax_rate"), self.vat_rate)),
                    amount: Some(self.money(&name("amount"), l.amount())),
                    purchase_order: l.po.as_ref().map(|p| self.field("po", p.clone())),
                    purchase_order_line: l
                        .po_line
                        .as_ref()
                        .map(|p| self.field(&name("po_line"), p.clone())),
                    ..Line::default()
                }
            })
            .collect();
        doc.allowances_charges = self
            .allowances_charges
            .iter()
            .map(|ac| AllowanceCharge {
                is_charge: ac.is_charge,
                amount: self.money("allowance_charge", ac.amount),
                base_amount: None,
                percent: None,
                reason: Some(ac.reason.clone()),
                reason_code: None,
                tax_rate: Some(self.vat_rate),
            })
            .collect();
        let base = self.net() - self.net_off;
        doc.tax_breakdown = vec![TaxSubtotal {
            category: Some("S".into()),
            rate: Some(self.vat_rate),
            taxable: Some(self.money("taxable", base)),
            tax: self.money("tax", self.tax()),
            exemption_reason: None,
        }];
        doc.totals.line_total = Some(self.money("line_total", self.line_total()));
        doc.totals.net = Some(self.money("net", self.net()));
        doc.totals.tax = Some(self.money("tax", self.tax()));
        doc.totals.gross = Some(self.money("gross", self.gross()));
        doc.totals.due = Some(self.money("due", self.gross()));
        doc
    }
}

/// The confidence of a field read from structured XML.
pub const SURE: f32 = 0.99;

/// Where every value came from: the e-invoice's XML.
pub fn evidence() -> Evidence {
    Evidence {
        extractor: ExtractorKind::Cii,
        page: None,
        bbox: None,
        source_text: None,
        locator: None,
    }
}
