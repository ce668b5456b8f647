//! The scenario suite's cases, from which `fixtures/matching/` is generated.
//!
//! Each case starts from the [`world`] (Nordwind's PO 4500000001, fully
//! received) and Nordwind's invoice that matches it exactly ([`Doc::invoice`]),
//! changes what it is about, and says what matching must decide. Change a
//! case here, then regenerate the files:
//!
//! ```sh
//! DOCKET_WRITE_SCENARIOS=1 cargo test -p docket-matching --test scenarios fixtures_are_generated
//! ```

use docket_domain::erp::ErpSnapshot;
use docket_domain::{Currency, DocumentKind, ReasonCode};
use docket_matching::Verdict;
use rust_decimal_macros::dec;

use crate::support::*;

use ReasonCode::{
    AmbiguousPurchaseOrder, AmbiguousSupplier, AmountVariance, ArithmeticError,
    AwaitingGoodsReceipt, BankAccountNotOnRecord, CreditNoteUnlinked, CurrencyMismatch, Duplicate,
    LineNotMatched, MissingField, NotAnInvoice, PossibleDuplicate, PriceVariance,
    PurchaseOrderOtherSupplier, QuantityExceedsReceived, ReviewRequired, SupplierBlocked,
    TaxRateImplausible, UnitMismatch, UnknownPurchaseOrder, UnknownSupplier, VatIdMismatch,
    WithinTolerance,
};

/// One scenario: the world, the document, and what matching must decide.
pub struct Case {
    pub category: &'static str,
    pub name: &'static str,
    /// One sentence: what the case proves.
    pub note: &'static str,
    pub snapshot: ErpSnapshot,
    pub doc: Doc,
    /// A policy in TOML (absent: the built-in one).
    pub policy: Option<String>,
    /// The sender's mail address.
    pub sender: Option<String>,
    pub verdict: Verdict,
    pub reasons: Vec<ReasonCode>,
    /// The supplier's ERP id (`None`: not identified).
    pub supplier: Option<String>,
    /// How many lines the booking has.
    pub booking_lines: Option<usize>,
}

fn case(category: &'static str, name: &'static str, note: &'static str) -> Case {
    Case {
        category,
        name,
        note,
        snapshot: world(),
        doc: Doc::invoice(),
        policy: None,
        sender: None,
        verdict: Verdict::Book,
        reasons: Vec::new(),
        supplier: Some(NORDWIND.to_string()),
        booking_lines: Some(2),
    }
}

impl Case {
    fn erp(mut self, change: impl FnOnce(&mut ErpSnapshot)) -> Case {
        change(&mut self.snapshot);
        self
    }

    fn doc(mut self, change: impl FnOnce(&mut Doc)) -> Case {
        change(&mut self.doc);
        self
    }

    fn policy(mut self, toml: &str) -> Case {
        self.policy = Some(toml.to_string());
        self
    }

    fn sender(mut self, address: &str) -> Case {
        self.sender = Some(address.to_string());
        self
    }

    /// Books with `lines` booking lines; `notes` are the informational reasons.
    fn books(mut self, lines: usize, notes: &[ReasonCode]) -> Case {
        self.verdict = Verdict::Book;
        self.booking_lines = Some(lines);
        self.reasons = notes.to_vec();
        self
    }

    fn decides(mut self, verdict: Verdict, reasons: &[ReasonCode]) -> Case {
        self.verdict = verdict;
        self.booking_lines = None;
        self.reasons = reasons.to_vec();
        self
    }

    fn exception(self, reasons: &[ReasonCode]) -> Case {
        self.decides(Verdict::Exception, reasons)
    }

    fn waits(self, reasons: &[ReasonCode]) -> Case {
        self.decides(Verdict::Wait, reasons)
    }

    fn no_supplier(mut self) -> Case {
        self.supplier = None;
        self
    }
}

/// The paper line (the first) of the document.
fn paper_line(doc: &mut Doc) -> &mut L {
    &mut doc.lines[0]
}

/// Every case, in the order of the categories of issue 6.
pub fn all() -> Vec<Case> {
    [
        tolerance(),
        quantity(),
        supplier(),
        purchase_order(),
        credit_note(),
        charges(),
        units(),
        controls(),
        confidence(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A limit of a percentage only, as TOML.
fn pct(percent: &str) -> String {
    format!("{{ percent = \"{percent}\" }}")
}

/// A unit price rule: its scope (`""` for global), lower and upper limits,
/// and further `key = value` lines (an action, an account).
fn price_rule(scope: &str, lower: &str, upper: &str, more: &[&str]) -> String {
    rule(
        "unit_price",
        &[
            &[
                scope,
                &format!("lower = {lower}"),
                &format!("upper = {upper}"),
            ],
            more,
        ]
        .concat(),
    )
}

/// A `[[tolerance]]` rule of a dimension with `key = value` lines.
fn rule(dimension: &str, lines: &[&str]) -> String {
    let mut toml = format!("[[tolerance]]\ndimension = \"{dimension}\"\n");
    for line in lines.iter().filter(|l| !l.is_empty()) {
        toml.push_str(line);
        toml.push('\n');
    }
    toml
}

/// Rules one after the other.
fn rules(rules: &[String]) -> String {
    rules.join("\n")
}

fn tolerance() -> Vec<Case> {
    let t = |name, note| case("tolerance", name, note);
    let both_limits = |percent: &str, absolute: &str| {
        format!("{{ percent = \"{percent}\", absolute = \"{absolute}\" }}")
    };
    let five_and_ten_cents = both_limits("5", "0.10");
    let five_and_ten_cents = price_rule("", &five_and_ten_cents, &five_and_ten_cents, &[]);
    let lower_10_upper_1 = price_rule("", &pct("10"), &pct("1"), &[]);
    let person_looks = price_rule("", &pct("2"), &pct("2"), &["action = \"exception\""]);
    let global_1 = price_rule("", &pct("1"), &pct("1"), &[]);
    let supplier_10 = price_rule("supplier = \"100101\"", &pct("10"), &pct("10"), &[]);
    let company_10 = price_rule("company = \"1000\"", &pct("10"), &pct("10"), &[]);
    let in_company_1000 = |e: &mut ErpSnapshot| e.purchase_orders[0].company = Some("1000".into());
    vec![
        t("price-within", "A unit price 1.6 % above the PO price books under the built-in 2 % with a note.")
            .doc(|d| paper_line(d).price = dec!(5.08))
            .books(2, &[WithinTolerance]),
        t("price-beyond", "A unit price 4 % above the PO price is beyond the built-in 2 %: a person looks.")
            .doc(|d| paper_line(d).price = dec!(5.20))
            .exception(&[PriceVariance]),
        t("price-at-upper-limit", "Limits are inclusive: exactly +2.00 % still books.")
            .doc(|d| paper_line(d).price = dec!(5.10))
            .books(2, &[WithinTolerance]),
        t("price-at-lower-limit", "Limits are inclusive below too: exactly -2.00 % still books.")
            .doc(|d| paper_line(d).price = dec!(4.90))
            .books(2, &[WithinTolerance]),
        t("price-just-above-upper-limit", "One cent per unit past the inclusive +2 % border (+2.2 %) is beyond.")
            .doc(|d| paper_line(d).price = dec!(5.11))
            .exception(&[PriceVariance]),
        t("price-beyond-limit-by-a-fraction", "5.1002 against 5.00 is +2.004 %, past the inclusive 2 % limit: the limit is not widened by rounding the percentage.")
            .doc(|d| paper_line(d).price = dec!(5.1002))
            .exception(&[PriceVariance]),
        t("absolute-stricter-than-percent", "With 5 % and 0.10 per unit both set, +0.15 (+3 %) is within the percentage but beyond the absolute limit: the stricter wins.")
            .policy(&five_and_ten_cents)
            .doc(|d| paper_line(d).price = dec!(5.15))
            .exception(&[PriceVariance]),
        t("percent-stricter-than-absolute", "With 1 % and 1.00 per unit both set, +0.08 (+1.6 %) is within the absolute but beyond the percentage: the stricter wins.")
            .policy(&price_rule("", &both_limits("1", "1.00"), &both_limits("1", "1.00"), &[]))
            .doc(|d| paper_line(d).price = dec!(5.08))
            .exception(&[PriceVariance]),
        t("percent-and-absolute-both-at-limit", "+0.10 per unit (+2 %) sits on the absolute limit of 0.10 within 5 %: inclusive, it books.")
            .policy(&five_and_ten_cents)
            .doc(|d| paper_line(d).price = dec!(5.10))
            .books(2, &[WithinTolerance]),
        t("lower-generous-below", "Lower and upper limits differ: -8 % is within a lower limit of 10 %.")
            .policy(&lower_10_upper_1)
            .doc(|d| paper_line(d).price = dec!(4.60))
            .books(2, &[WithinTolerance]),
        t("upper-strict-above", "Lower and upper limits differ: +2 % is beyond an upper limit of 1 % although the lower allows 10 %.")
            .policy(&lower_10_upper_1)
            .doc(|d| paper_line(d).price = dec!(5.10))
            .exception(&[PriceVariance]),
        t("side-without-limits", "A rule that gives only an upper limit allows no variance below: -1 % is beyond.")
            .policy(&rule("unit_price", &["upper = { percent = \"5\" }"]))
            .doc(|d| paper_line(d).price = dec!(4.95))
            .exception(&[PriceVariance]),
        t("scope-supplier-over-global", "A supplier rule of 10 % beats a global rule of 1 %: +8 % books.")
            .policy(&rules(&[global_1.clone(), supplier_10.clone()]))
            .doc(|d| paper_line(d).price = dec!(5.40))
            .books(2, &[WithinTolerance]),
        t("scope-item-over-supplier", "An item rule of 1 % for A-1 beats the supplier's 10 %: +8 % on A-1 is beyond.")
            .policy(&rules(&[supplier_10.clone(), price_rule("item = \"A-1\"", &pct("1"), &pct("1"), &[])]))
            .doc(|d| paper_line(d).price = dec!(5.40))
            .exception(&[PriceVariance]),
        t("scope-company-over-global", "A rule for the PO's company 1000 (10 %) beats the global 1 %: +8 % books.")
            .policy(&rules(&[global_1, company_10.clone()]))
            .erp(in_company_1000)
            .doc(|d| paper_line(d).price = dec!(5.40))
            .books(2, &[WithinTolerance]),
        t("scope-supplier-over-company", "The supplier's rule of 1 % beats company 1000's 10 %: +8 % is beyond.")
            .policy(&rules(&[company_10, price_rule("supplier = \"100101\"", &pct("1"), &pct("1"), &[])]))
            .erp(in_company_1000)
            .doc(|d| paper_line(d).price = dec!(5.40))
            .exception(&[PriceVariance]),
        t("scope-builtin-when-nothing-fits", "Rules for another supplier, item and company do not apply: the built-in 2 % judges +4 %.")
            .policy(&rules(&[
                price_rule("supplier = \"100102\"", &pct("10"), &pct("10"), &[]),
                price_rule("item = \"Z-9\"", &pct("10"), &pct("10"), &[]),
                price_rule("company = \"2000\"", &pct("10"), &pct("10"), &[]),
            ]))
            .erp(in_company_1000)
            .doc(|d| paper_line(d).price = dec!(5.20))
            .exception(&[PriceVariance]),
        t("action-exception-within-limits", "action = exception sends a variance within the limits (+1 %) to a person.")
            .policy(&person_looks)
            .doc(|d| paper_line(d).price = dec!(5.05))
            .exception(&[ReviewRequired]),
        t("action-exception-exact-books", "action = exception leaves prices exactly as ordered alone: it books.")
            .policy(&person_looks)
            .books(2, &[]),
        t("price-book-difference", "action = book_difference books the line at the PO value and the +10.00 difference on a third line to the account.")
            .policy(&price_rule("", &pct("5"), &pct("5"), &["action = \"book_difference\"", "account = \"231000\""]))
            .doc(|d| paper_line(d).price = dec!(5.10))
            .books(3, &[WithinTolerance]),
        t("total-book-difference", "A net total 0.50 above its lines, within a total_difference of 1.00 with book_difference, books the 0.50 on its own line.")
            .policy(&rule("total_difference", &[
                "lower = { absolute = \"1.00\" }",
                "upper = { absolute = \"1.00\" }",
                "action = \"book_difference\"",
                "account = \"231000\"",
            ]))
            .doc(|d| d.net_off = dec!(0.50))
            .books(3, &[WithinTolerance]),
        t("line-amount-absolute-limit", "A line_amount limit of 1.00 catches +5.00 on a line whose unit price (+1 %) is within its own tolerance.")
            .policy(&rule("line_amount", &["lower = { absolute = \"1.00\" }", "upper = { absolute = \"1.00\" }"]))
            .doc(|d| paper_line(d).price = dec!(5.05))
            .exception(&[WithinTolerance, AmountVariance]),
        t("item-amount-cap", "An item_amount cap of 400.00 per line stops a 500.00 line that matches its PO line exactly.")
            .policy(&rule("item_amount", &["lower = { unlimited = true }", "upper = { absolute = \"400\" }"]))
            .exception(&[AmountVariance]),
    ]
}

fn quantity() -> Vec<Case> {
    let q = |name, note| case("quantity", name, note);
    let earlier = |qty, amount| {
        booked(
            "5105600001",
            "RE-2026-0990",
            DocumentKind::Invoice,
            dec!(400.00),
            &[(PO, "10", qty, amount)],
        )
    };
    vec![
        q("exact", "Quantities and prices exactly as ordered and received book, one booking line per PO line.")
            .books(2, &[]),
        q("partial-invoicing", "Invoicing 60 of 100 received (partial invoicing) books without a note: less than is open is no variance while the lower side is unlimited.")
            .doc(|d| d.lines = vec![L::paper(dec!(60), dec!(5.00))])
            .books(1, &[]),
        q("rest-after-earlier-invoice", "60 already invoiced: the remaining 40 book exactly.")
            .erp(|e| e.booked_invoices.push(earlier(dec!(60), dec!(300.00))))
            .doc(|d| d.lines = vec![L::paper(dec!(40), dec!(5.00))])
            .books(1, &[]),
        q("over-invoicing", "60 already invoiced and 50 more invoiced: 10 more than ordered, an exception rather than a wait.")
            .erp(|e| e.booked_invoices.push(earlier(dec!(60), dec!(300.00))))
            .doc(|d| d.lines = vec![L::paper(dec!(50), dec!(5.00))])
            .exception(&[QuantityExceedsReceived]),
        q("waiting-for-goods", "100 invoiced, 60 received, 100 ordered: the invoice waits for the goods receipt.")
            .erp(|e| e.goods_receipts[0].quantity = dec!(60))
            .waits(&[AwaitingGoodsReceipt]),
        q("received-part-books", "60 received and 60 invoiced of 100 ordered (partial delivery) book.")
            .erp(|e| e.goods_receipts[0].quantity = dec!(60))
            .doc(|d| paper_line(d).qty = dec!(60))
            .books(2, &[]),
        q("two-deliveries-on-two-lines", "One PO line delivered twice (60 and 40) and invoiced on two lines, one per delivery: together they are what was received, and book.")
            .erp(|e| {
                e.goods_receipts[0].quantity = dec!(60);
                let mut second = receipt(PO, "10", dec!(40));
                second.number = "5000000102".into();
                e.goods_receipts.push(second);
            })
            .doc(|d| {
                d.lines = vec![
                    L::paper(dec!(60), dec!(5.00)),
                    L::paper(dec!(40), dec!(5.00)),
                    L::toner(dec!(4), dec!(12.50)),
                ];
            })
            .books(3, &[]),
        q("waiting-after-reversal", "A receipt of 100 reversed by 40 leaves 60 received: invoicing 100 waits.")
            .erp(|e| e.goods_receipts.push(receipt(PO, "10", dec!(-40))))
            .waits(&[AwaitingGoodsReceipt]),
        q("nothing-received-more-than-ordered", "Nothing received and 120 invoiced of 100 ordered: more than will ever arrive, an exception.")
            .erp(|e| e.goods_receipts.retain(|g| g.purchase_order_line != "10"))
            .doc(|d| paper_line(d).qty = dec!(120))
            .exception(&[QuantityExceedsReceived]),
        q("order-based-billing", "A PO line billed on ordered quantities (not goods-receipt-based) books without any receipt.")
            .erp(|e| {
                e.purchase_orders[0].lines[0].goods_receipt_based = false;
                e.goods_receipts.retain(|g| g.purchase_order_line != "10");
            })
            .books(2, &[]),
        q("order-based-over-ordered", "Order-based billing: 110 invoiced against 100 ordered is beyond the quantity_ordered tolerance.")
            .erp(|e| {
                e.purchase_orders[0].lines[0].goods_receipt_based = false;
                e.goods_receipts.retain(|g| g.purchase_order_line != "10");
            })
            .doc(|d| paper_line(d).qty = dec!(110))
            .exception(&[QuantityExceedsReceived]),
        q("order-based-rest-after-earlier-invoice", "Order-based billing: 70 invoiced before, the remaining 30 book.")
            .erp(|e| {
                e.purchase_orders[0].lines[0].goods_receipt_based = false;
                e.goods_receipts.retain(|g| g.purchase_order_line != "10");
                e.booked_invoices.push(earlier(dec!(70), dec!(350.00)));
            })
            .doc(|d| d.lines = vec![L::paper(dec!(30), dec!(5.00))])
            .books(1, &[]),
        q("over-received-within-quantity-tolerance", "A quantity_received upper limit of 5 % lets 103 of 100 received book, with a note.")
            .policy(&rule("quantity_received", &["lower = { unlimited = true }", "upper = { percent = \"5\" }"]))
            .doc(|d| paper_line(d).qty = dec!(103))
            .books(2, &[WithinTolerance]),
        q("free-of-charge-beyond-received", "Samples free of charge: 10 invoiced of 10 ordered, 2 received; the 8 not received wait although they cost nothing.")
            .erp(|e| {
                e.purchase_orders[0].lines.push(po_line("30", "D-4", "Muster Recyclingpapier", dec!(10), dec!(0.00)));
                e.goods_receipts.push(receipt(PO, "30", dec!(2)));
            })
            .doc(|d| d.lines.push(L::item("D-4", "Muster Recyclingpapier", dec!(10), dec!(0.00))))
            .waits(&[AwaitingGoodsReceipt]),
        q("cheap-item-one-piece-beyond-received", "Screws at 4.00 per 1000: one piece more than received is worth 0.004, and still waits for its receipt.")
            .erp(|e| {
                let mut screws = po_line("30", "E-5", "Schrauben M4x20", dec!(10000), dec!(4.00));
                screws.price_unit = dec!(1000);
                e.purchase_orders[0].lines.push(screws);
                e.goods_receipts.push(receipt(PO, "30", dec!(5000)));
            })
            .doc(|d| {
                let mut screws = L::item("E-5", "Schrauben M4x20", dec!(5001), dec!(4.00));
                screws.price_unit = Some(dec!(1000));
                d.lines.push(screws);
            })
            .waits(&[AwaitingGoodsReceipt]),
    ]
}

fn supplier() -> Vec<Case> {
    let s = |name, note| case("supplier", name, note);
    vec![
        s("by-vat-id", "The VAT id on the master record identifies the supplier without a bank account on the document.")
            .doc(|d| d.ibans.clear())
            .books(2, &[]),
        s("by-iban", "An IBAN on the master record identifies the supplier without a VAT id on the document.")
            .doc(|d| d.vat_id = None)
            .books(2, &[]),
        s("by-name-and-domain", "Without VAT id or IBAN, the name together with the sender's mail domain identifies the supplier.")
            .doc(|d| {
                d.vat_id = None;
                d.ibans.clear();
            })
            .sender("rechnung@nordwind-buero.example")
            .books(2, &[]),
        s("name-without-domain", "The name alone, without a sender domain on the record, is not enough: unknown supplier.")
            .doc(|d| {
                d.vat_id = None;
                d.ibans.clear();
            })
            .exception(&[UnknownSupplier])
            .no_supplier(),
        s("unknown-with-candidates", "A VAT id no supplier has and a similar name: unknown, and the reason names Nordwind as close.")
            .doc(|d| {
                d.vat_id = Some(STRANGE_VAT.into());
                d.ibans.clear();
                d.seller_name = Some("Nordwind Büroartikel GmbH".into());
            })
            .exception(&[UnknownSupplier])
            .no_supplier(),
        s("ambiguous-identifiers", "The VAT id points at Nordwind, the IBAN at Van Leeuwen: ambiguous, a person decides.")
            .doc(|d| d.ibans = vec![LEEUWEN_IBAN.into()])
            .exception(&[AmbiguousSupplier])
            .no_supplier(),
        s("shared-group-iban", "The VAT id says Nordwind, the IBAN is on Nordwind's and a sister company's records too (a group's shared account): the VAT id decides (docs/matching.md).")
            .erp(|e| {
                let mut sister = crate::support::supplier("100109", "Nordwind Logistik GmbH", "DE", "DE811907980", NORDWIND_IBAN);
                sister.email_domains = vec![NORDWIND_DOMAIN.into()];
                e.suppliers.push(sister);
            })
            .books(2, &[]),
        s("ambiguous-name-and-domain", "Two suppliers with similar names send from the same domain: ambiguous without VAT id or IBAN.")
            .erp(|e| {
                let mut sister = nordwind();
                sister.id = "100109".into();
                sister.name = "Nordwind Bürobedarf Nord GmbH".into();
                sister.vat_id = Some("DE811907980".into());
                sister.ibans = vec!["DE02120300000000202051".into()];
                e.suppliers.push(sister);
            })
            .doc(|d| {
                d.vat_id = None;
                d.ibans.clear();
            })
            .sender("rechnung@nordwind-buero.example")
            .exception(&[AmbiguousSupplier])
            .no_supplier(),
    ]
}

/// A second PO of Nordwind's: line 10 = 50 x C-3 pens at 0.80, received.
fn pens(e: &mut ErpSnapshot) {
    e.purchase_orders.push(order(
        "4500000002",
        NORDWIND,
        vec![po_line(
            "10",
            "C-3",
            "Kugelschreiber blau",
            dec!(50),
            dec!(0.80),
        )],
    ));
    e.goods_receipts.push(receipt("4500000002", "10", dec!(50)));
}

/// A copy of [`PO`] under another number, fully received.
fn second_copy(e: &mut ErpSnapshot) {
    let mut copy = e.purchase_orders[0].clone();
    copy.number = "4500000003".into();
    e.purchase_orders.push(copy);
    e.goods_receipts
        .push(receipt("4500000003", "10", dec!(100)));
    e.goods_receipts.push(receipt("4500000003", "20", dec!(4)));
}

fn purchase_order() -> Vec<Case> {
    let p = |name, note| case("purchase_order", name, note);
    let no_po = |d: &mut Doc| d.purchase_orders.clear();
    vec![
        p("named-on-lines", "The PO and its lines named on each line (none in the header) book.")
            .doc(|d| {
                d.purchase_orders.clear();
                d.lines[0] = d.lines[0].clone().on(PO, "00010");
                d.lines[1] = d.lines[1].clone().on(PO, "20");
            })
            .books(2, &[]),
        p("unknown", "A PO number the ERP does not know is an exception.")
            .doc(|d| d.purchase_orders = vec!["4500009999".into()])
            .exception(&[UnknownPurchaseOrder]),
        p("other-supplier", "A PO of Van Leeuwen's on Nordwind's invoice is an exception.")
            .erp(|e| {
                let mut theirs = e.purchase_orders[0].clone();
                theirs.number = "4500000002".into();
                theirs.supplier_id = LEEUWEN.into();
                e.purchase_orders.push(theirs);
            })
            .doc(|d| d.purchase_orders = vec!["4500000002".into()])
            .exception(&[PurchaseOrderOtherSupplier]),
        p("currency-mismatch", "An invoice in USD against a PO in EUR is an exception.")
            .doc(|d| d.currency = Currency::parse("USD").expect("a currency"))
            .exception(&[CurrencyMismatch]),
        p("two-orders", "One invoice over two POs, each line naming its PO and line, books against both.")
            .erp(pens)
            .doc(|d| {
                d.purchase_orders.push("4500000002".into());
                d.lines[0] = d.lines[0].clone().on(PO, "10");
                d.lines[1] = d.lines[1].clone().on(PO, "20");
                d.lines.push(L::item("C-3", "Kugelschreiber blau", dec!(50), dec!(0.80)).on("4500000002", "10"));
            })
            .books(3, &[]),
        p("search-one-fits", "Naming no PO, the one open PO of the supplier that takes all lines is found (the pens PO does not).")
            .erp(pens)
            .doc(no_po)
            .books(2, &[WithinTolerance]),
        p("search-partial-invoice", "Naming no PO, an invoice for part of one PO line (a subset of its lines) still finds the PO.")
            .erp(pens)
            .doc(no_po)
            .doc(|d| d.lines = vec![L::paper(dec!(60), dec!(5.00))])
            .books(1, &[WithinTolerance]),
        p("search-two-fit", "Naming no PO, two open POs take all lines: ambiguous, a person decides.")
            .erp(second_copy)
            .doc(no_po)
            .exception(&[AmbiguousPurchaseOrder]),
        p("search-none-fits", "Naming no PO, the only open PO does not take a line 20 % above its price: unknown PO.")
            .doc(no_po)
            .doc(|d| paper_line(d).price = dec!(6.00))
            .exception(&[UnknownPurchaseOrder]),
        p("search-skips-closed", "A closed copy of the PO is not searched: the open one is found, not two.")
            .erp(second_copy)
            .erp(|e| e.purchase_orders[0].closed = true)
            .doc(no_po)
            .books(2, &[WithinTolerance]),
        p("search-skips-old", "A PO dated more than po_search.max_age_days before the invoice is not searched.")
            .erp(|e| e.purchase_orders[0].order_date = day(2025, 9, 1))
            .doc(no_po)
            .exception(&[UnknownPurchaseOrder]),
        p("search-off", "With po_search disabled, an invoice naming no PO is an exception.")
            .policy("[po_search]\nenabled = false\n")
            .doc(no_po)
            .exception(&[UnknownPurchaseOrder]),
    ]
}

/// Nordwind's invoice RE-2026-0950 over the whole of [`PO`], booked.
fn credited(e: &mut ErpSnapshot) {
    e.booked_invoices.push(booked(
        "5105600001",
        "RE-2026-0950",
        DocumentKind::Invoice,
        dec!(654.50),
        &[
            (PO, "10", dec!(100), dec!(500.00)),
            (PO, "20", dec!(4), dec!(50.00)),
        ],
    ));
}

fn credit_note() -> Vec<Case> {
    let c = |name, note| case("credit_note", name, note);
    let credit = |qty| {
        Doc::credit_note(
            "GS-2026-0007",
            "RE-2026-0950",
            vec![L::paper(qty, dec!(5.00))],
        )
    };
    vec![
        c("against-booked-invoice", "A credit note for 10 of the 100 invoiced books against the PO line of the invoice it names.")
            .erp(credited)
            .doc(|d| *d = credit(dec!(10)))
            .books(1, &[]),
        c("more-than-invoiced", "Crediting 120 of 100 invoiced is an exception.")
            .erp(credited)
            .doc(|d| *d = credit(dec!(120)))
            .exception(&[CreditNoteUnlinked]),
        c("after-earlier-credit", "95 already credited of 100 invoiced: crediting 10 more is an exception.")
            .erp(credited)
            .erp(|e| e.booked_invoices.push(booked("5105600002", "GS-2026-0005", DocumentKind::CreditNote, dec!(565.25), &[(PO, "10", dec!(-95), dec!(-475.00))])))
            .doc(|d| *d = credit(dec!(10)))
            .exception(&[CreditNoteUnlinked]),
        c("unlinked", "A credit note naming neither an invoice nor a PO cannot be tied to anything.")
            .erp(credited)
            .doc(|d| {
                *d = credit(dec!(10));
                d.preceding_invoices.clear();
            })
            .exception(&[CreditNoteUnlinked]),
        c("credits-unbooked-invoice", "A credit note naming an invoice that is not booked for the supplier is unlinked.")
            .erp(credited)
            .doc(|d| {
                *d = credit(dec!(10));
                d.preceding_invoices = vec!["RE-2026-0404".into()];
            })
            .exception(&[CreditNoteUnlinked]),
        c("credits-reversed-invoice", "A credit note for an invoice that was reversed in the ERP is unlinked.")
            .erp(credited)
            .erp(|e| e.booked_invoices[0].reversed = true)
            .doc(|d| *d = credit(dec!(10)))
            .exception(&[CreditNoteUnlinked]),
    ]
}

fn charges() -> Vec<Case> {
    let c = |name, note| case("charges", name, note);
    let planned =
        |e: &mut ErpSnapshot| e.purchase_orders[0].planned_delivery_costs = Some(dec!(25.00));
    vec![
        c("freight-as-planned", "Freight of 25.00 as planned on the PO books to the delivery costs account.")
            .erp(planned)
            .doc(|d| d.lines.push(L::text("Frachtkosten", dec!(25.00))))
            .books(3, &[]),
        c("freight-within-planned", "Freight of 20.00 against 25.00 planned is within the delivery_costs tolerance (less is fine).")
            .erp(planned)
            .doc(|d| d.lines.push(L::text("Frachtkosten", dec!(20.00))))
            .books(3, &[WithinTolerance]),
        c("freight-beyond-planned", "Freight of 30.00 against 25.00 planned is beyond the built-in delivery_costs tolerance.")
            .erp(planned)
            .doc(|d| d.lines.push(L::text("Frachtkosten", dec!(30.00))))
            .exception(&[AmountVariance]),
        c("unplanned-freight", "Freight of 15.00 that the PO did not plan is beyond the built-in tolerance.")
            .doc(|d| d.lines.push(L::text("Versand DHL", dec!(15.00))))
            .exception(&[AmountVariance]),
        c("unplanned-freight-within-policy", "A delivery_costs upper limit of 10.00 lets 8.00 of unplanned freight book.")
            .policy(&rule("delivery_costs", &["lower = { unlimited = true }", "upper = { absolute = \"10.00\" }"]))
            .doc(|d| d.lines.push(L::text("Versand DHL", dec!(8.00))))
            .books(3, &[WithinTolerance]),
        c("discount-line", "A discount line of -16.50 (3 %) books with the goods.")
            .doc(|d| d.lines.push(L::text("Rabatt 3 %", dec!(-16.50))))
            .books(3, &[WithinTolerance]),
        c("document-allowance", "A document-level allowance of 16.50 books with the goods.")
            .doc(|d| d.allowances_charges.push(Ac { is_charge: false, amount: dec!(16.50), reason: "Sonderrabatt".into() }))
            .books(3, &[WithinTolerance]),
        c("document-charge-unplanned", "A document-level packaging charge of 12.00 that the PO did not plan is beyond tolerance.")
            .doc(|d| d.allowances_charges.push(Ac { is_charge: true, amount: dec!(12.00), reason: "Verpackung".into() }))
            .exception(&[AmountVariance]),
        c("goods-not-on-the-order", "A line of goods the PO does not know is named, not taken for a charge.")
            .doc(|d| d.lines.push(L::item("Z-9", "Sonderanfertigung Logodruck", dec!(1), dec!(80.00))))
            .exception(&[LineNotMatched]),
    ]
}

fn units() -> Vec<Case> {
    let u = |name, note| case("units", name, note);
    let per_hundred = |e: &mut ErpSnapshot| {
        let line = &mut e.purchase_orders[0].lines[0];
        line.unit_price = dec!(500.00);
        line.price_unit = dec!(100);
    };
    let packs = |e: &mut ErpSnapshot| {
        let line = &mut e.purchase_orders[0].lines[0];
        *line = converting(line.clone(), "PK", dec!(10));
    };
    vec![
        u("po-price-per-100", "A PO price of 500.00 per 100 pieces matches an invoice price of 5.00 per piece.")
            .erp(per_hundred)
            .books(2, &[]),
        u("both-prices-per-100", "An invoice price of 500.00 per 100 against the same PO price books.")
            .erp(per_hundred)
            .doc(|d| {
                paper_line(d).price = dec!(500.00);
                paper_line(d).price_unit = Some(dec!(100));
            })
            .books(2, &[]),
        u("price-per-100-beyond", "5.20 per piece against 500.00 per 100 is +4 %, judged per the PO's price unit: beyond.")
            .erp(per_hundred)
            .doc(|d| paper_line(d).price = dec!(5.20))
            .exception(&[PriceVariance]),
        u("alternative-unit", "10 packs of 10 at 50.00 against 100 pieces at 5.00 books through the PO line's conversion.")
            .erp(packs)
            .doc(|d| {
                let line = paper_line(d);
                line.qty = dec!(10);
                line.unit = Some("PK".into());
                line.price = dec!(50.00);
            })
            .books(2, &[]),
        u("alternative-unit-too-many", "11 packs of 10 are 110 pieces, more than the 100 ordered and received.")
            .erp(packs)
            .doc(|d| {
                let line = paper_line(d);
                line.qty = dec!(11);
                line.unit = Some("PK".into());
                line.price = dec!(50.00);
            })
            .exception(&[QuantityExceedsReceived]),
        u("unit-without-conversion", "Kilograms against a PO line in pieces with no conversion are an exception.")
            .doc(|d| paper_line(d).unit = Some("KGM".into()))
            .exception(&[UnitMismatch]),
        u("unit-spelling", "Stk. on the invoice is the PO's PCE.")
            .doc(|d| paper_line(d).unit = Some("Stk.".into()))
            .books(2, &[]),
    ]
}

fn controls() -> Vec<Case> {
    let c = |name, note| case("controls", name, note);
    vec![
        c("bank-account-not-on-record", "An IBAN not on the master record blocks booking even though everything else matches.")
            .doc(|d| d.ibans = vec![STRANGE_IBAN.into()])
            .exception(&[BankAccountNotOnRecord]),
        c("vat-id-mismatch", "Identified by its IBAN, the supplier's document shows another VAT id than the master record.")
            .doc(|d| d.vat_id = Some(STRANGE_VAT.into()))
            .exception(&[VatIdMismatch]),
        c("blocked-for-posting", "A supplier blocked for posting in the ERP is not booked.")
            .erp(|e| e.suppliers[0].posting_blocked = true)
            .exception(&[SupplierBlocked]),
        c("blocked-for-payment", "A supplier blocked for payment in the ERP is not booked.")
            .erp(|e| e.suppliers[0].payment_blocked = true)
            .exception(&[SupplierBlocked]),
        c("implausible-vat-rate", "21 % VAT from a German supplier is a rate Germany does not have.")
            .doc(|d| d.vat_rate = dec!(21))
            .exception(&[TaxRateImplausible]),
        c("reduced-vat-rate", "7 % VAT from a German supplier is plausible and books.")
            .doc(|d| d.vat_rate = dec!(7))
            .books(2, &[]),
        c("line-arithmetic-error", "100 x 5.00 printed as 510.00 is an arithmetic error.")
            .doc(|d| paper_line(d).amount = Some(dec!(510.00)))
            .exception(&[ArithmeticError]),
        c("totals-difference-within", "A gross total 0.02 above net + VAT is within the built-in total_difference (inclusive): books with a note.")
            .doc(|d| d.gross_off = dec!(0.02))
            .books(2, &[WithinTolerance]),
        c("totals-difference-beyond", "A gross total 0.03 above net + VAT is beyond the built-in total_difference.")
            .doc(|d| d.gross_off = dec!(0.03))
            .exception(&[ArithmeticError]),
        c("possible-duplicate", "The same gross amount booked 3 days earlier under another number is a possible duplicate.")
            .erp(|e| {
                let mut earlier = booked("5105600004", "RE-2026-0999", DocumentKind::Invoice, dec!(654.50), &[]);
                earlier.document_date = day(2026, 10, 30);
                e.booked_invoices.push(earlier);
            })
            .exception(&[PossibleDuplicate]),
        c("same-amount-long-ago", "The same gross amount booked 13 days earlier is outside duplicates.near_date_days: it books.")
            .erp(|e| e.booked_invoices.push(booked("5105600004", "RE-2026-0999", DocumentKind::Invoice, dec!(654.50), &[])))
            .books(2, &[]),
        c("exact-duplicate", "The same number (written differently) already booked for the supplier is a duplicate.")
            .erp(|e| e.booked_invoices.push(booked("5105600004", "re 2026/1001", DocumentKind::Invoice, dec!(654.50), &[])))
            .decides(Verdict::Duplicate, &[Duplicate]),
        c("credit-note-same-number", "A credit note numbered like the booked invoice it credits is not its duplicate.")
            .erp(|e| e.booked_invoices.push(booked(
                "5105600004",
                "RE-2026-1001",
                DocumentKind::Invoice,
                dec!(654.50),
                &[(PO, "10", dec!(100), dec!(500.00)), (PO, "20", dec!(4), dec!(50.00))],
            )))
            .doc(|d| *d = Doc::credit_note("RE-2026-1001", "RE-2026-1001", vec![L::paper(dec!(10), dec!(5.00))]))
            .books(1, &[]),
        c("reversed-booking", "A booking of the same number that was reversed in the ERP is not a duplicate: it books again.")
            .erp(|e| {
                let mut reversed = booked(
                    "5105600004",
                    "RE-2026-1001",
                    DocumentKind::Invoice,
                    dec!(654.50),
                    &[(PO, "10", dec!(100), dec!(500.00)), (PO, "20", dec!(4), dec!(50.00))],
                );
                reversed.reversed = true;
                e.booked_invoices.push(reversed);
            })
            .books(2, &[]),
        c("not-an-invoice", "An order is not booked as an invoice.")
            .doc(|d| d.kind = DocumentKind::Order)
            .exception(&[NotAnInvoice])
            .no_supplier(),
    ]
}

fn confidence() -> Vec<Case> {
    let c = |name, note| case("confidence", name, note);
    let unsure = |field: &str| {
        let field = field.to_string();
        move |d: &mut Doc| d.unsure.push(field)
    };
    vec![
        c("unsure-gross-total", "A gross total read with low confidence sends the document to a person.")
            .doc(unsure("gross"))
            .exception(&[MissingField]),
        c("unsure-invoice-number", "An invoice number read with low confidence sends the document to a person.")
            .doc(unsure("number"))
            .exception(&[MissingField]),
        c("unsure-iban", "An IBAN read with low confidence sends the document to a person, although it is on record.")
            .doc(unsure("iban"))
            .exception(&[MissingField]),
        c("unsure-line-quantity", "A line quantity read with low confidence sends the document to a person, although it matches.")
            .doc(unsure("line1.quantity"))
            .exception(&[MissingField]),
        c("unsure-po-reference", "A PO reference read with low confidence sends the document to a person, although it exists.")
            .doc(unsure("po"))
            .exception(&[MissingField]),
        c("unsure-vat-id", "A VAT id read with low confidence, the only identifier, is no evidence of the supplier: unknown, with the close name named, and the VAT id flagged for checking.")
            .doc(|d| d.ibans.clear())
            .doc(unsure("vat_id"))
            .exception(&[MissingField, UnknownSupplier])
            .no_supplier(),
        c("lower-threshold-books", "With min_confidence = 0.4, a gross total read at 0.5 counts as sure and books.")
            .policy("min_confidence = 0.4\n")
            .doc(unsure("gross"))
            .books(2, &[]),
    ]
}
