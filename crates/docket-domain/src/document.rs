//! The structured business document: invoice, credit note or order.
//!
//! One shape for all syntaxes (CII, UBL, ZUGFeRD 1, PDF layout, LLM), so that
//! matching and review never care where a document came from. Field names follow
//! EN 16931 (the European e-invoice semantic model) where it has a name.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Currency, Field, Money, Party};

/// What kind of business document this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A commercial invoice (UNTDID 1001 code 380 and relatives).
    Invoice,
    /// A credit note (381 and relatives).
    CreditNote,
    /// A purchase order received from a customer (220).
    Order,
    /// A change to an earlier order (230).
    OrderChange,
    /// A response to or confirmation of an order (231).
    OrderResponse,
    /// Anything else (delivery note, reminder, newsletter, ...).
    Other,
}

impl DocumentKind {
    /// Maps a UNTDID 1001 document type code.
    pub fn from_untdid_1001(code: &str) -> Self {
        match code.trim() {
            "380" | "383" | "384" | "386" | "389" | "393" | "395" | "575" | "623" | "780"
            | "875" | "876" | "877" | "326" | "82" | "84" | "130" | "202" | "203" | "204"
            | "211" | "218" | "219" | "295" | "325" | "385" | "387" | "388" | "390" | "394"
            | "456" | "457" | "527" | "751" => DocumentKind::Invoice,
            "381" | "261" | "262" | "296" | "308" | "396" | "420" | "458" | "532" | "81" | "83" => {
                DocumentKind::CreditNote
            }
            "220" | "105" | "221" | "224" | "225" | "226" | "227" | "228" | "248" | "402" => {
                DocumentKind::Order
            }
            "230" => DocumentKind::OrderChange,
            "231" => DocumentKind::OrderResponse,
            _ => DocumentKind::Other,
        }
    }

    /// The word used in reports (`invoice`, `credit_note`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
            DocumentKind::Order => "order",
            DocumentKind::OrderChange => "order_change",
            DocumentKind::OrderResponse => "order_response",
            DocumentKind::Other => "other",
        }
    }
}

/// The syntax a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceSyntax {
    /// UN/CEFACT CII D16B and later (ZUGFeRD 2.x, Factur-X, XRechnung CII).
    Cii,
    /// ZUGFeRD 1.0.
    Zugferd1,
    /// UBL 2.1 Invoice.
    UblInvoice,
    /// UBL 2.1 CreditNote.
    UblCreditNote,
    /// Order-X (CII-based order).
    OrderX,
    /// The visible text of a PDF.
    PdfText,
    /// The body of an e-mail.
    MailBody,
}

/// Header data: what the document is, its number and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Header {
    /// Invoice, credit note, order, ...
    pub kind: Field<DocumentKind>,
    /// The issuer's document number (invoice number, order number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<Field<String>>,
    /// The issue date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<Field<NaiveDate>>,
    /// Delivery or service date (or requested delivery date for orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<Field<NaiveDate>>,
    /// The document currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Field<Currency>>,
    /// The syntax it was read from.
    pub syntax: SourceSyntax,
    /// The e-invoice profile / customisation id, where the XML names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Free-text notes on the document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// References to other documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct References {
    /// Purchase order numbers named at header level (the buyer's order references).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purchase_orders: Vec<Field<String>>,
    /// The buyer's reference (Leitweg-ID in XRechnung, cost centre, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<Field<String>>,
    /// Contract reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Field<String>>,
    /// Invoices this document refers to (a credit note's original invoice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preceding_invoices: Vec<Field<String>>,
    /// Delivery notes / despatch advices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery_notes: Vec<Field<String>>,
}

/// A document-level or line-level allowance (discount) or charge (freight, surcharge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AllowanceCharge {
    /// `true` for a charge (adds to the amount), `false` for an allowance (subtracts).
    pub is_charge: bool,
    /// The amount, always positive; `is_charge` gives the direction.
    pub amount: Field<Money>,
    /// The base amount a percentage applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_amount: Option<Money>,
    /// The percentage, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// Why (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// UNTDID 5189 (allowances) or 7161 (charges) code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// The VAT rate that applies to it, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Decimal>,
}

/// One document line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Line {
    /// The line's id on the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Field<String>>,
    /// The seller's item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_item_id: Option<Field<String>>,
    /// The buyer's item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_item_id: Option<Field<String>>,
    /// GTIN / EAN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<Field<String>>,
    /// Item name or description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Field<String>>,
    /// Quantity invoiced or ordered (negative on some credit notes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Field<Decimal>>,
    /// Unit of measure (UN/ECE recommendation 20 code where the source gives one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Field<String>>,
    /// Net price per `price_unit` units, after line-price discounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Field<Money>>,
    /// How many units `unit_price` is for (SAP's NetPriceQuantity); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_unit: Option<Field<Decimal>>,
    /// Line-level allowances and charges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances_charges: Vec<AllowanceCharge>,
    /// The VAT rate in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Field<Decimal>>,
    /// The net line amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Field<Money>>,
    /// The purchase order this line belongs to, when given per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order: Option<Field<String>>,
    /// The purchase order line it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_line: Option<Field<String>>,
}

/// One VAT rate's subtotal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaxSubtotal {
    /// UNCL 5305 category (S standard, Z zero, E exempt, AE reverse charge, K intra-EU, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The rate in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    /// The amount taxed at this rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<Field<Money>>,
    /// The tax at this rate.
    pub tax: Field<Money>,
    /// The exemption reason, where the category needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

/// Document totals (EN 16931 BG-22).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Sum of the net line amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_total: Option<Field<Money>>,
    /// Sum of document-level allowances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowances: Option<Field<Money>>,
    /// Sum of document-level charges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charges: Option<Field<Money>>,
    /// Total without VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<Field<Money>>,
    /// Total VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Field<Money>>,
    /// Total with VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross: Option<Field<Money>>,
    /// Amount already paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepaid: Option<Field<Money>>,
    /// Amount due for payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Field<Money>>,
}

/// Payment terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PaymentTerms {
    /// The terms as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Field<String>>,
    /// The due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Field<NaiveDate>>,
    /// Days until due, where given as a term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_days: Option<u32>,
    /// Cash discount percentage, where offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percent: Option<Decimal>,
    /// Days within which the cash discount applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_days: Option<u32>,
    /// The payment reference (remittance information) to quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<Field<String>>,
}

/// A structured business document, as extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BusinessDocument {
    /// Kind, number, dates, currency.
    pub header: Header,
    /// The seller (supplier on an invoice; us on a customer's order).
    pub seller: Party,
    /// The buyer (us on an invoice; the customer on an order).
    pub buyer: Party,
    /// The ship-to party, where different from the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Party>,
    /// References to orders, contracts and earlier invoices.
    #[serde(default)]
    pub references: References,
    /// The lines.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// VAT breakdown per rate.
    #[serde(default)]
    pub tax_breakdown: Vec<TaxSubtotal>,
    /// Document-level allowances and charges.
    #[serde(default)]
    pub allowances_charges: Vec<AllowanceCharge>,
    /// Totals.
    #[serde(default)]
    pub totals: Totals,
    /// Payment terms.
    #[serde(default)]
    pub payment: PaymentTerms,
}

impl BusinessDocument {
    /// An empty document of a kind, as a starting point for an extractor.
    pub fn empty(kind: Field<DocumentKind>, syntax: SourceSyntax) -> Self {
        BusinessDocument {
            header: Header {
                kind,
                number: None,
                issue_date: None,
                delivery_date: None,
                currency: None,
                syntax,
                profile: None,
                notes: Vec::new(),
            },
            seller: Party::default(),
            buyer: Party::default(),
            delivery: None,
            references: References::default(),
            lines: Vec::new(),
            tax_breakdown: Vec::new(),
            allowances_charges: Vec::new(),
            totals: Totals::default(),
            payment: PaymentTerms::default(),
        }
    }

    /// The document kind.
    pub fn kind(&self) -> DocumentKind {
        self.header.kind.value
    }

    /// The document number, if read.
    pub fn number(&self) -> Option<&str> {
        self.header.number.as_ref().map(|f| f.value.as_str())
    }

    /// The gross total, if read.
    pub fn gross(&self) -> Option<Money> {
        self.totals.gross.as_ref().map(|f| f.value)
    }

    /// Every field confidence in the document, for "is anything unsure?" checks.
    pub fn lowest_confidence_fields(&self) -> Vec<(&'static str, crate::Confidence)> {
        let mut out = Vec::new();
        let mut push = |name: &'static str, c: Option<crate::Confidence>| {
            if let Some(c) = c {
                out.push((name, c));
            }
        };
        push("number", self.header.number.as_ref().map(|f| f.confidence));
        push(
            "issue_date",
            self.header.issue_date.as_ref().map(|f| f.confidence),
        );
        push(
            "seller.name",
            self.seller.name.as_ref().map(|f| f.confidence),
        );
        push(
            "seller.vat_id",
            self.seller.vat_id.as_ref().map(|f| f.confidence),
        );
        push("totals.net", self.totals.net.as_ref().map(|f| f.confidence));
        push("totals.tax", self.totals.tax.as_ref().map(|f| f.confidence));
        push(
            "totals.gross",
            self.totals.gross.as_ref().map(|f| f.confidence),
        );
        for account in &self.seller.bank_accounts {
            push("seller.iban", Some(account.iban.confidence));
        }
        out.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untdid_codes_map_to_kinds() {
        assert_eq!(DocumentKind::from_untdid_1001("380"), DocumentKind::Invoice);
        assert_eq!(
            DocumentKind::from_untdid_1001(" 381 "),
            DocumentKind::CreditNote
        );
        assert_eq!(DocumentKind::from_untdid_1001("220"), DocumentKind::Order);
        assert_eq!(
            DocumentKind::from_untdid_1001("231"),
            DocumentKind::OrderResponse
        );
        assert_eq!(DocumentKind::from_untdid_1001("999"), DocumentKind::Other);
    }
}
