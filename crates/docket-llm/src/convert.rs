//! Turning the model's answer into Docket's [`BusinessDocument`], every value
//! checked against the text the model was given ([`crate::grounding`]).
//!
//! A value found in the text gets [`ExtractorKind::Llm`]'s base confidence
//! and the model's quote as its source text (when the quote is in the text
//! and contains the value); an IBAN, BIC or VAT id that fails docket-domain's
//! checks keeps at most [`INVALID`], with the reason in its locator.
//!
//! A value the text does not contain, or contains only in text that gives a
//! language model orders (a possible prompt injection), has no evidence, so
//! it stays empty (design invariant 4: empty, not guessed). What the model
//! claimed is kept in a note on the document for the reviewer, e.g.
//! `gross "2400.49" not found in the document text`.

use std::cell::RefCell;

use chrono::NaiveDate;
use docket_domain::{
    BankAccount, BusinessDocument, Confidence, Currency, DocumentKind, DomainError, Evidence,
    ExtractorKind, Field, Line, Money, SourceSyntax, normalize,
};
use rust_decimal::Decimal;

use crate::grounding::{CompactLine, Found, TextIndex, dates_in};
use crate::reading::{
    ASSUMED_CURRENCY, INVALID, LlmLine, LlmReading, Quotes, UNGROUNDED, parse_amount, parse_date,
};

impl LlmReading {
    /// The document, with every value checked against `text` (the text the
    /// model was given), read as the text of a PDF.
    pub fn into_document(self, text: &str) -> BusinessDocument {
        self.into_document_as(text, SourceSyntax::PdfText)
    }

    /// [`Self::into_document`] for text from another source (a mail body).
    pub fn into_document_as(self, text: &str, syntax: SourceSyntax) -> BusinessDocument {
        let g = Grounder {
            index: TextIndex::new(text),
            quotes: self.quotes,
            unsupported: RefCell::new(Vec::new()),
        };
        let mut doc = BusinessDocument::empty(g.kind(self.kind.as_deref()), syntax);
        if g.index.has_instructions() {
            doc.header.notes.push(
                "the document text contains instructions addressed to a language model; \
                 values found only there were not trusted"
                    .to_string(),
            );
        }
        doc.header.number = self
            .number
            .as_deref()
            .and_then(|v| g.identifier("number", v, None));
        doc.header.issue_date = self
            .issue_date
            .as_deref()
            .and_then(|v| g.date("issue_date", v));
        doc.payment.due_date = self.due_date.as_deref().and_then(|v| g.date("due_date", v));
        doc.header.currency = self
            .currency
            .as_deref()
            .and_then(|v| g.currency("currency", v));

        // Amounts take a currency the text confirms: the model's (kept only
        // when grounded), else the one the text writes most; without either,
        // EUR is assumed and the amounts are marked down (see `money`).
        let money = doc
            .header
            .currency
            .as_ref()
            .map(|c| c.value)
            .or_else(|| g.index.usual_currency());
        doc.totals.net = self.net.as_deref().and_then(|v| g.money("net", v, money));
        doc.totals.tax = self.tax.as_deref().and_then(|v| g.money("tax", v, money));
        doc.totals.gross = self
            .gross
            .as_deref()
            .and_then(|v| g.money("gross", v, money));

        let seller = self.seller.unwrap_or_default();
        doc.seller.name = seller
            .name
            .as_deref()
            .and_then(|v| g.text("seller.name", v));
        doc.seller.vat_id = seller.vat_id.as_deref().and_then(|v| {
            g.identifier(
                "seller.vat_id",
                v,
                Some(("VAT id", docket_domain::vat::validate)),
            )
        });
        if let Some(iban) = seller.iban.as_deref().and_then(|v| {
            g.identifier(
                "seller.iban",
                v,
                Some(("IBAN", docket_domain::iban::validate)),
            )
        }) {
            let bic = seller.bic.as_deref().and_then(|v| {
                g.identifier(
                    "seller.bic",
                    v,
                    Some(("BIC", docket_domain::iban::validate_bic)),
                )
            });
            doc.seller.bank_accounts.push(BankAccount {
                iban,
                bic,
                holder: None,
            });
        }
        let buyer = self.buyer.unwrap_or_default();
        doc.buyer.name = buyer.name.as_deref().and_then(|v| g.text("buyer.name", v));
        doc.buyer.vat_id = buyer.vat_id.as_deref().and_then(|v| {
            g.identifier(
                "buyer.vat_id",
                v,
                Some(("VAT id", docket_domain::vat::validate)),
            )
        });

        if let Some(pos) = self.po_reference.as_deref() {
            doc.references.purchase_orders = pos
                .split([',', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .filter_map(|p| g.identifier("po_reference", p, None))
                .collect();
        }
        doc.lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| g.line(i, l, money))
            .filter(|l| *l != Line::default())
            .collect();
        let unsupported = g.unsupported.into_inner();
        if !unsupported.is_empty() {
            doc.header.notes.push(format!(
                "the language model also gave values without support in the document, left empty: {}",
                unsupported.join("; ")
            ));
        }
        doc
    }
}

/// Checks values against the text and builds fields with evidence.
struct Grounder {
    index: TextIndex,
    quotes: Quotes,
    /// What the model claimed without support in the text, for a note.
    unsupported: RefCell<Vec<String>>,
}

/// A checker that returns the normalised identifier or why it is invalid.
type Validator = fn(&str) -> Result<String, DomainError>;

impl Grounder {
    /// The evidence for a value, or `None` (and a line for the note) when
    /// the text does not support it. `value_found` is where the value itself
    /// was found; `supports` tells whether a quote (found in the text)
    /// contains the value.
    fn judge(
        &self,
        key: &str,
        shown: &str,
        value_found: Found,
        supports: impl Fn(&str) -> bool,
    ) -> Option<Evidence> {
        let quote = self.quotes.get(key);
        let quote_found = quote.map_or(Found::Nowhere, |q| self.index.find_text(q));
        let quote_supports = quote.is_some_and(&supports);
        if value_found == Found::InText || (quote_found == Found::InText && quote_supports) {
            let source = match (quote, quote_found) {
                (Some(q), Found::InText) if quote_supports => q.to_string(),
                _ => shown.to_string(),
            };
            return Some(Evidence {
                extractor: ExtractorKind::Llm,
                page: None,
                bbox: None,
                source_text: Some(source),
                locator: Some(format!("llm answer {key}")),
            });
        }
        let why = if value_found == Found::OnlyInInstructions
            || (quote_found == Found::OnlyInInstructions && quote_supports)
        {
            "found only in text that gives instructions to a language model (possible prompt injection)"
                .to_string()
        } else {
            let quoted = quote
                .map(|q| format!(" (the model quoted {:?})", crate::error::shorten(q, 120)))
                .unwrap_or_default();
            format!("not found in the document text{quoted}")
        };
        self.unsupported
            .borrow_mut()
            .push(format!("{key} {shown:?} {why}"));
        None
    }

    fn field<T>(
        &self,
        key: &str,
        value: T,
        shown: &str,
        found: Found,
        supports: impl Fn(&str) -> bool,
    ) -> Option<Field<T>> {
        let evidence = self.judge(key, shown, found, supports)?;
        Some(Field::new(value, evidence))
    }

    fn kind(&self, raw: Option<&str>) -> Field<DocumentKind> {
        let parsed = raw.and_then(parse_kind);
        if let Some((kind, words)) = parsed {
            let found = words
                .iter()
                .map(|w| self.index.find_text(w))
                .min_by_key(|f| *f as u8)
                .unwrap_or(Found::Nowhere);
            let field = self.field("kind", kind, kind.as_str(), found, |q| {
                let q = crate::grounding::normalise(q);
                words.iter().any(|w| q.contains(w))
            });
            if let Some(field) = field {
                return field;
            }
        }
        // A document always has a kind: without evidence it is `other`, unsure.
        let evidence = Evidence {
            extractor: ExtractorKind::Llm,
            page: None,
            bbox: None,
            source_text: None,
            locator: Some(match (raw, parsed) {
                (Some(r), None) => format!("llm answer kind: {r:?} is not a kind Docket knows"),
                (Some(r), Some(_)) => format!("llm answer kind: {r:?} is not shown by the text"),
                (None, _) => "llm answer kind: the language model named no kind".to_string(),
            }),
        };
        Field::new(DocumentKind::Other, evidence).with_confidence(Confidence::new(UNGROUNDED))
    }

    fn text(&self, key: &str, value: &str) -> Option<Field<String>> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let found = self.index.find_text(value);
        let needle = crate::grounding::normalise(value);
        self.field(key, value.to_string(), value, found, |q| {
            crate::grounding::contains_bounded(&crate::grounding::normalise(q), &needle)
        })
    }

    /// An identifier: looked up without punctuation, normalised and checked by
    /// `check` (a name and a validator) where one applies.
    fn identifier(
        &self,
        key: &str,
        value: &str,
        check: Option<(&str, Validator)>,
    ) -> Option<Field<String>> {
        let value = value.trim();
        let compact = normalize::compact_identifier(value);
        if compact.is_empty() {
            return None;
        }
        let found = self.index.find_identifier(value);
        let supports = |q: &str| CompactLine::new(q).contains(&compact);
        let Some((what, validate)) = check else {
            return self.field(key, value.to_string(), value, found, supports);
        };
        match validate(value) {
            Ok(normalised) => self.field(key, normalised, value, found, supports),
            Err(e) => {
                let mut f = self.field(key, compact.clone(), value, found, supports)?;
                f.confidence = Confidence::new(f.confidence.value().min(INVALID));
                let reason = match e {
                    DomainError::InvalidIban { reason, .. }
                    | DomainError::InvalidBic { reason, .. }
                    | DomainError::InvalidVatId { reason, .. } => reason,
                    other => other.to_string(),
                };
                let locator = f.evidence.locator.take().unwrap_or_default();
                f.evidence.locator = Some(format!("{locator}; not a valid {what}: {reason}"));
                Some(f)
            }
        }
    }

    fn date(&self, key: &str, raw: &str) -> Option<Field<NaiveDate>> {
        let date = parse_date(raw)?;
        let found = self.index.find_date(date);
        self.field(key, date, raw, found, |q| {
            let tokens: Vec<&str> = q.split_whitespace().collect();
            dates_in(&tokens).any(|d| d == date)
        })
    }

    fn currency(&self, key: &str, raw: &str) -> Option<Field<Currency>> {
        let currency = Currency::from_symbol_or_code(raw)?;
        let found = self.index.find_currency(currency);
        self.field(key, currency, raw, found, |q| {
            q.split_whitespace().any(|t| {
                docket_extract::layout::numbers::currency_token(t) == Some(currency)
                    || t.contains(currency.code())
            })
        })
    }

    fn decimal(&self, key: &str, raw: &str) -> Option<Field<Decimal>> {
        let value = parse_amount(raw)?;
        let found = self.index.find_number(value);
        self.field(key, value, raw, found, |q| {
            let tokens: Vec<&str> = q.split_whitespace().collect();
            crate::grounding::numbers_in(&tokens).contains(&value.abs())
        })
    }

    /// An amount in `currency`, or in EUR marked down when the text confirms
    /// no currency.
    fn money(&self, key: &str, raw: &str, currency: Option<Currency>) -> Option<Field<Money>> {
        let value = self.decimal(key, raw)?;
        let Some(currency) = currency else {
            let mut f = value.map(|v| Money::new(v, Currency::EUR));
            f.confidence = Confidence::new(f.confidence.value().min(ASSUMED_CURRENCY));
            let locator = f.evidence.locator.take().unwrap_or_default();
            f.evidence.locator = Some(format!("{locator}; currency assumed EUR"));
            return Some(f);
        };
        Some(value.map(|v| Money::new(v, currency)))
    }

    fn line(&self, i: usize, l: &LlmLine, money: Option<Currency>) -> Line {
        let key = |k: &str| format!("lines[{i}].{k}");
        Line {
            description: l
                .description
                .as_deref()
                .and_then(|v| self.text(&key("description"), v)),
            quantity: l
                .quantity
                .as_deref()
                .and_then(|v| self.decimal(&key("quantity"), v)),
            unit_price: l
                .unit_price
                .as_deref()
                .and_then(|v| self.money(&key("unit_price"), v, money)),
            amount: l
                .amount
                .as_deref()
                .and_then(|v| self.money(&key("amount"), v, money)),
            purchase_order_line: l
                .po_line
                .as_deref()
                .and_then(|v| self.identifier(&key("po_line"), v, None)),
            ..Line::default()
        }
    }
}

/// A kind as the model names it, with the words that show it on a document.
fn parse_kind(raw: &str) -> Option<(DocumentKind, &'static [&'static str])> {
    let k = raw.trim().to_lowercase().replace([' ', '-'], "_");
    match k.as_str() {
        "invoice" | "commercial_invoice" | "bill" => Some((
            DocumentKind::Invoice,
            &[
                "invoice", "rechnung", "factuur", "facture", "fattura", "factura", "bill",
            ],
        )),
        "credit_note" | "creditnote" | "credit_memo" | "credit" => Some((
            DocumentKind::CreditNote,
            &[
                "credit note",
                "credit memo",
                "gutschrift",
                "creditnota",
                "creditfactuur",
                "avoir",
                "rechnungskorrektur",
            ],
        )),
        "order" | "purchase_order" => Some((
            DocumentKind::Order,
            &[
                "order",
                "bestellung",
                "auftrag",
                "bestelling",
                "commande",
                "ordine",
                "pedido",
            ],
        )),
        _ => None,
    }
}
