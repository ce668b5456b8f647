//! The scenarios: the single description every fixture is derived from.
//!
//! Each company, purchase order, goods receipt and invoice is written down once,
//! here, as Rust data. The ERP records (`fixtures/erp/*.json`), the documents in
//! `fixtures/inbox/` and `fixtures/expected.json` are all computed from it, so an
//! invoice can never quote a price or a PO line that the ERP does not have, unless
//! the scenario says so on purpose.

pub mod cases;
pub(crate) mod catalogue;
pub mod orders;
pub mod parties;

use chrono::NaiveDate;
use docket_domain::{Decision, DocumentKind};
use rust_decimal::Decimal;

/// The language a document is written in; decides words, number and date formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// German: `1.234,56`, `03.11.2026`.
    De,
    /// Dutch: `1.234,56`, `03-11-2026`.
    Nl,
    /// English (Ireland): `1,234.56`, `3 November 2026`.
    En,
    /// French: `1 234,56`, `03/11/2026`.
    Fr,
}

/// The visual layout a supplier's invoicing software produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// German DIN 5008 letter: letterhead left, address window, info block right.
    A,
    /// Dutch: logo block right, two-column reference box.
    B,
    /// English: big INVOICE title, "Bill to", a row of reference boxes.
    C,
    /// German, boxed line table with a full grid, totals boxed on the right.
    D,
    /// German, centred letterhead of a small trader (the supplier unknown to the ERP).
    E,
    /// French visible page of a Factur-X hybrid.
    F,
}

/// A bank account as printed on invoices and recorded in the ERP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bank {
    /// IBAN, compact.
    pub iban: &'static str,
    /// BIC.
    pub bic: &'static str,
    /// The bank's name as printed.
    pub name: &'static str,
}

/// A company: the buyer (us), a supplier, or a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Company {
    /// The ERP's supplier number; `None` when the ERP does not know the company.
    pub erp_id: Option<&'static str>,
    /// Legal name.
    pub name: &'static str,
    /// Street and number.
    pub street: &'static str,
    /// Postal code.
    pub postcode: &'static str,
    /// City.
    pub city: &'static str,
    /// ISO 3166-1 alpha-2 country code.
    pub country: &'static str,
    /// VAT identifier, compact.
    pub vat_id: &'static str,
    /// National tax number, where printed.
    pub tax_number: Option<&'static str>,
    /// Company register entry as printed.
    pub register: &'static str,
    /// Managing directors as printed.
    pub managers: &'static str,
    /// Telephone as printed.
    pub phone: &'static str,
    /// The address invoices are sent from.
    pub email: &'static str,
    /// Web site.
    pub web: &'static str,
    /// Bank accounts on the master record (the first is the one usually printed).
    pub banks: &'static [Bank],
    /// E-mail domains the company sends from.
    pub email_domains: &'static [&'static str],
    /// Language of its documents.
    pub lang: Lang,
    /// Layout of its invoices.
    pub layout: Layout,
    /// Kestrel's customer number in this supplier's books.
    pub our_customer_number: &'static str,
}

/// Units of measure, mapped to the ERP's code, UN/ECE Rec. 20 and printed words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A piece.
    Piece,
    /// A pack.
    Pack,
    /// A roll / reel.
    Roll,
    /// A set.
    Set,
    /// A canister.
    Canister,
}

impl Unit {
    /// The ERP's internal unit code.
    pub fn erp_code(self) -> &'static str {
        match self {
            Unit::Piece => "ST",
            Unit::Pack => "PAK",
            Unit::Roll => "RO",
            Unit::Set => "SET",
            Unit::Canister => "KAN",
        }
    }

    /// The UN/ECE Recommendation 20 / 21 code used in e-invoices.
    pub fn unece(self) -> &'static str {
        match self {
            Unit::Piece => "H87",
            Unit::Pack => "XPK",
            Unit::Roll => "XRO",
            Unit::Set => "SET",
            Unit::Canister => "XCI",
        }
    }

    /// The word a supplier prints in the unit column.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Unit::Piece, Lang::De) => "Stk",
            (Unit::Piece, Lang::Nl) => "st",
            (Unit::Piece, Lang::En) => "pcs",
            (Unit::Piece, Lang::Fr) => "pce",
            (Unit::Pack, Lang::De) => "Pack",
            (Unit::Pack, Lang::Nl) => "pak",
            (Unit::Pack, Lang::En) => "pack",
            (Unit::Pack, Lang::Fr) => "paquet",
            (Unit::Roll, Lang::De) => "Rolle",
            (Unit::Roll, Lang::Nl) => "rol",
            (Unit::Roll, Lang::En) => "reel",
            (Unit::Roll, Lang::Fr) => "rouleau",
            (Unit::Set, Lang::Fr) => "lot",
            (Unit::Set, _) => "Set",
            (Unit::Canister, Lang::De) => "Kan.",
            (Unit::Canister, Lang::Nl) => "can",
            (Unit::Canister, Lang::En) => "can",
            (Unit::Canister, Lang::Fr) => "bidon",
        }
    }
}

/// One purchase order line.
#[derive(Debug, Clone)]
pub struct PoLine {
    /// Line number as the ERP writes it (`10`, `20`, ...).
    pub line: &'static str,
    /// Our material number.
    pub item_code: &'static str,
    /// The supplier's article number.
    pub supplier_item_code: &'static str,
    /// Description (the supplier's wording, which the invoice repeats).
    pub description: &'static str,
    /// Quantity ordered.
    pub quantity: Decimal,
    /// Unit.
    pub unit: Unit,
    /// Agreed net unit price.
    pub price: Decimal,
}

/// A purchase order.
#[derive(Debug, Clone)]
pub struct Po {
    /// PO number.
    pub number: &'static str,
    /// The supplier.
    pub supplier: &'static Company,
    /// Order date.
    pub date: NaiveDate,
    /// Lines.
    pub lines: Vec<PoLine>,
}

/// A goods receipt (negative quantity: a return delivery) for one PO line.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Material document number.
    pub number: &'static str,
    /// Line within the material document.
    pub item: &'static str,
    /// PO number.
    pub po: &'static str,
    /// PO line.
    pub po_line: &'static str,
    /// Quantity (negative for a return).
    pub quantity: Decimal,
    /// Posting date.
    pub date: NaiveDate,
}

/// An article sold by a supplier without any PO of ours (for the unknown supplier).
#[derive(Debug, Clone)]
pub struct FreeItem {
    /// Supplier's article number.
    pub code: &'static str,
    /// Description.
    pub description: &'static str,
    /// Unit.
    pub unit: Unit,
}

/// What an invoice line refers to.
#[derive(Debug, Clone)]
pub enum LineRef {
    /// A line of one of our purchase orders: (PO number, PO line).
    Po(&'static str, &'static str),
    /// An article that no PO of ours names.
    Free(FreeItem),
}

/// One invoice line as the supplier bills it.
#[derive(Debug, Clone)]
pub struct InvLine {
    /// What is billed.
    pub what: LineRef,
    /// Quantity billed (positive, also on a credit note).
    pub quantity: Decimal,
    /// Unit price billed; `None` means the PO price.
    pub price: Option<Decimal>,
}

/// How the document reaches the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Not in the inbox: only booked in the ERP (history).
    None,
    /// A PDF dropped in the folder.
    Pdf,
    /// A Factur-X PDF with the CII XML attached.
    FacturX,
    /// An e-mail with a UBL 2.1 attachment.
    UblMail,
    /// A UBL 2.1 XML file dropped in the folder (bulk sets only).
    Ubl,
    /// An e-mail with the PDF attached.
    PdfMail,
    /// A PDF that was cut off and overwritten on the way.
    DamagedPdf,
}

/// An invoice or credit note issued by a supplier.
#[derive(Debug, Clone)]
pub struct Invoice {
    /// The supplier's document number.
    pub number: &'static str,
    /// The issuer.
    pub supplier: &'static Company,
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// Issue date.
    pub date: NaiveDate,
    /// Delivery date.
    pub delivery_date: NaiveDate,
    /// Days until due.
    pub due_days: i64,
    /// Lines.
    pub lines: Vec<InvLine>,
    /// What the header says instead of a PO number, when no PO is named.
    pub order_text: Option<&'static str>,
    /// The account printed for payment, where it is not the supplier's first account.
    pub pay_to: Option<&'static Bank>,
    /// The invoice a credit note corrects.
    pub corrects: Option<&'static str>,
    /// A remark printed above the lines.
    pub remark: Option<&'static str>,
}

/// How an invoice was booked in the ERP before the inbox was read.
#[derive(Debug, Clone, Copy)]
pub struct Booked {
    /// The ERP's document number.
    pub erp_ref: &'static str,
    /// Whether Docket booked it (then it carries Docket's idempotency key).
    pub by_docket: bool,
}

/// A case: one supplier document, where it is, and what Docket must decide.
#[derive(Debug, Clone)]
pub struct Case {
    /// File name in `fixtures/inbox/` (empty for history that is only booked).
    pub file: &'static str,
    /// The document.
    pub invoice: Invoice,
    /// How it arrives.
    pub channel: Channel,
    /// Booked in the ERP already (history, or the original of a duplicate).
    pub booked: Option<Booked>,
    /// What Docket must decide for the inbox file.
    pub expected: Option<Decision>,
    /// One sentence for the README: why the decision is what it is.
    pub story: &'static str,
}

/// Everything: the buyer, suppliers, orders, receipts and documents.
#[derive(Debug, Clone)]
pub struct World {
    /// Us.
    pub buyer: &'static Company,
    /// Suppliers in the ERP.
    pub suppliers: Vec<&'static Company>,
    /// Purchase orders.
    pub pos: Vec<Po>,
    /// Goods receipts and returns.
    pub receipts: Vec<Receipt>,
    /// Documents: history and inbox.
    pub cases: Vec<Case>,
}

impl World {
    /// The scenario world.
    pub fn new() -> Self {
        let pos = orders::purchase_orders();
        World {
            buyer: &parties::KESTREL,
            suppliers: parties::SUPPLIERS.to_vec(),
            receipts: orders::receipts(&pos),
            cases: cases::cases(&pos),
            pos,
        }
    }

    /// A purchase order by number.
    pub fn po(&self, number: &str) -> Option<&Po> {
        self.pos.iter().find(|p| p.number == number)
    }

    /// The cases that put a file in the inbox, in file-name order.
    pub fn inbox(&self) -> impl Iterator<Item = &Case> {
        self.cases.iter().filter(|c| c.channel != Channel::None)
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// A date literal; the scenarios only use valid ones.
pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}
