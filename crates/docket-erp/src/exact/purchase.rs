//! The purchase side on Exact: suppliers (crm/Accounts + crm/BankAccounts),
//! purchase orders and their lines, goods receipt lines, booked purchase
//! invoices and purchase entries, and booking.
//!
//! Booking goes to `purchase/PurchaseInvoices` with each line linked to its
//! `PurchaseOrderLine`, the only Exact endpoint with a PO link (Exact then
//! copies the PO line's values and raises its invoiced quantity). When a
//! link is impossible (a request with no lines, or a line tied to no PO
//! line such as freight booked to a G/L account, which a purchase-invoice
//! line cannot carry as it needs an item or a PO line), the document is
//! booked as an accounting-only `purchaseentry/PurchaseEntries`. A PO line
//! the request names but Exact lacks is refused, never booked unlinked.

use std::collections::HashMap;

use docket_domain::erp::{
    BookedInvoice, BookedLine, BookingRequest, PurchaseOrder, PurchaseOrderLine, Supplier,
};
use docket_domain::{DocumentKind, Money};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::ExactErp;
use super::wire::{account_code, date, decimal, flag, guid, number, opt, quote, text};
use crate::{ErpError, SupplierQuery};

pub(super) const ACCOUNT: &str = "ID,Code,Name,VATNumber,Country,Website,Blocked";
pub(super) const ORDER: &str = "PurchaseOrderID,OrderNumber,Supplier,SupplierCode,OrderDate,Currency,OrderStatus,InvoiceStatus";
pub(super) const ORDER_LINE: &str = "ID,PurchaseOrderID,LineNumber,ItemCode,SupplierItemCode,Description,Quantity,UnitPrice,VATPercentage,Unit";
const INVOICE: &str =
    "ID,EntryNumber,Supplier,InvoiceDate,YourRef,Currency,Amount,Type,Description";
const ENTRY: &str =
    "EntryID,EntryNumber,Supplier,EntryDate,YourRef,Currency,AmountFC,Type,Reversal,Description";

/// Exact's `Type` of purchase invoices and credit notes, and of purchase entries.
const INVOICE_TYPE: i64 = 8033;
const CREDIT_TYPE: i64 = 8034;
const ENTRY_CREDIT_TYPE: i64 = 21;

/// A supplier from its `Account` row and its `BankAccounts` rows: IBANs,
/// and a payment block when every bank account is blocked.
pub(super) fn supplier_of(account: &Value, banks: &[Value]) -> Supplier {
    Supplier {
        id: text(account, "Code"),
        name: text(account, "Name"),
        vat_id: opt(account, "VATNumber"),
        tax_number: None,
        country: opt(account, "Country"),
        ibans: banks.iter().map(|b| text(b, "BankAccount")).collect(),
        email_domains: opt(account, "Website").into_iter().collect(),
        posting_blocked: flag(account, "Blocked"),
        payment_blocked: !banks.is_empty() && banks.iter().all(|b| flag(b, "Blocked")),
    }
}

/// Whether a purchase order row is closed: fully invoiced, or cancelled.
pub(super) fn closed(row: &Value) -> bool {
    row["InvoiceStatus"].as_i64() >= Some(30) || row["OrderStatus"].as_i64() == Some(40)
}

impl ExactErp {
    /// The GUID of the supplier with this number.
    pub(super) async fn supplier_guid(
        &self,
        supplier_id: &str,
    ) -> Result<Option<String>, ErpError> {
        let filter = format!(
            "Code eq {} and IsSupplier eq true",
            quote(&account_code(supplier_id))
        );
        let rows = self.client.list("crm/Accounts", &filter, "ID").await?;
        Ok(rows.first().map(|r| text(r, "ID")))
    }

    async fn known_supplier(&self, supplier_id: &str) -> Result<String, ErpError> {
        self.supplier_guid(supplier_id).await?.ok_or_else(|| {
            ErpError::Permanent(format!("supplier {supplier_id} does not exist in Exact"))
        })
    }

    async fn supplier(&self, account: &Value) -> Result<Supplier, ErpError> {
        let filter = format!("Account eq {}", guid(&text(account, "ID")));
        let banks = self
            .client
            .list("crm/BankAccounts", &filter, "BankAccount,Blocked")
            .await?;
        Ok(supplier_of(account, &banks))
    }

    pub(super) async fn suppliers_matching(
        &self,
        query: &SupplierQuery,
    ) -> Result<Vec<Supplier>, ErpError> {
        let mut accounts: Vec<Value> = Vec::new();
        let supplier = "IsSupplier eq true";
        for vat in &query.vat_ids {
            let filter = format!("VATNumber eq {} and {supplier}", quote(vat));
            accounts.extend(self.client.list("crm/Accounts", &filter, ACCOUNT).await?);
        }
        for iban in &query.ibans {
            let filter = format!("BankAccount eq {}", quote(iban));
            for bank in self
                .client
                .list("crm/BankAccounts", &filter, "Account")
                .await?
            {
                let filter = format!("ID eq {} and {supplier}", guid(&text(&bank, "Account")));
                accounts.extend(self.client.list("crm/Accounts", &filter, ACCOUNT).await?);
            }
        }
        if let Some(domain) = &query.email_domain {
            let filter = format!(
                "Website eq {} and {supplier}",
                quote(&domain.to_ascii_lowercase())
            );
            accounts.extend(self.client.list("crm/Accounts", &filter, ACCOUNT).await?);
        }
        if let Some(name) = &query.name {
            // Exact cannot rank names, so the suppliers are read (page by page) and compared here.
            let all = self.client.list("crm/Accounts", supplier, ACCOUNT).await?;
            accounts.extend(
                all.into_iter()
                    .filter(|a| crate::similar_names(name, &text(a, "Name"))),
            );
        }
        let mut seen = Vec::new();
        let mut found = Vec::new();
        for account in accounts {
            if !seen.contains(&account["ID"]) {
                seen.push(account["ID"].clone());
                found.push(self.supplier(&account).await?);
            }
        }
        Ok(found)
    }

    async fn lines_of(&self, order_id: &str) -> Result<Vec<Value>, ErpError> {
        let filter = format!("PurchaseOrderID eq {}", guid(order_id));
        self.client
            .list("purchaseorder/PurchaseOrderLines", &filter, ORDER_LINE)
            .await
    }

    async fn order(&self, row: &Value) -> Result<PurchaseOrder, ErpError> {
        let lines = self.lines_of(&text(row, "PurchaseOrderID")).await?;
        let division = self.client.division().await?;
        Ok(self.order_of(row, &lines, division))
    }

    /// A purchase order from its row and its line rows.
    pub(super) fn order_of(&self, row: &Value, lines: &[Value], division: i64) -> PurchaseOrder {
        PurchaseOrder {
            number: text(row, "OrderNumber"),
            supplier_id: text(row, "SupplierCode"),
            order_date: date(row, "OrderDate").unwrap_or_default(),
            currency: docket_domain::Currency::parse(&text(row, "Currency"))
                .unwrap_or(self.settings().currency),
            company: Some(division.to_string()),
            planned_delivery_costs: None,
            closed: closed(row),
            lines: lines
                .iter()
                .map(|l| PurchaseOrderLine {
                    line: text(l, "LineNumber"),
                    item_code: opt(l, "ItemCode"),
                    supplier_item_code: opt(l, "SupplierItemCode"),
                    description: text(l, "Description"),
                    quantity: decimal(l, "Quantity"),
                    unit: text(l, "Unit"),
                    unit_price: decimal(l, "UnitPrice"),
                    price_unit: Decimal::ONE,
                    tax_rate: l["VATPercentage"]
                        .as_f64()
                        .map(|_| (decimal(l, "VATPercentage") * Decimal::ONE_HUNDRED).normalize()),
                    goods_receipt_based: true,
                    unit_conversions: Vec::new(),
                })
                .collect(),
        }
    }

    /// The PO rows for a number (Exact's OrderNumber is an integer; others do not exist there).
    pub(super) async fn order_rows(&self, number: &str) -> Result<Vec<Value>, ErpError> {
        let Ok(n) = number.trim().parse::<i64>() else {
            return Ok(Vec::new());
        };
        let filter = format!("OrderNumber eq {n}");
        self.client
            .list("purchaseorder/PurchaseOrders", &filter, ORDER)
            .await
    }

    pub(super) async fn orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        let mut orders = Vec::new();
        for number in numbers {
            for row in self.order_rows(number).await? {
                orders.push(self.order(&row).await?);
            }
        }
        Ok(orders)
    }

    pub(super) async fn open_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        let Some(supplier) = self.supplier_guid(supplier_id).await? else {
            return Ok(Vec::new());
        };
        let mut filter = format!(
            "Supplier eq {} and InvoiceStatus lt 30 and OrderStatus ne 40",
            guid(&supplier)
        );
        if let Some(day) = since {
            filter.push_str(&format!(" and OrderDate ge datetime'{day}'"));
        }
        let mut orders = Vec::new();
        for row in self
            .client
            .list("purchaseorder/PurchaseOrders", &filter, ORDER)
            .await?
        {
            orders.push(self.order(&row).await?);
        }
        Ok(orders)
    }

    pub(super) async fn receipts(
        &self,
        numbers: &[String],
    ) -> Result<Vec<docket_domain::erp::GoodsReceipt>, ErpError> {
        let mut receipts = Vec::new();
        let mut headers: HashMap<String, Value> = HashMap::new();
        for number in numbers {
            for po in self.order_rows(number).await? {
                let po_id = text(&po, "PurchaseOrderID");
                let lines: HashMap<String, String> = self
                    .lines_of(&po_id)
                    .await?
                    .iter()
                    .map(|l| (text(l, "ID"), text(l, "LineNumber")))
                    .collect();
                let filter = format!("PurchaseOrderID eq {}", guid(&po_id));
                let select = "ID,GoodsReceiptID,LineNumber,PurchaseOrderLineID,QuantityReceived";
                for r in self
                    .client
                    .list("purchaseorder/GoodsReceiptLines", &filter, select)
                    .await?
                {
                    let header_id = text(&r, "GoodsReceiptID");
                    if !headers.contains_key(&header_id) {
                        let filter = format!("ID eq {}", guid(&header_id));
                        let rows = self
                            .client
                            .list(
                                "purchaseorder/GoodsReceipts",
                                &filter,
                                "ID,ReceiptNumber,ReceiptDate",
                            )
                            .await?;
                        headers.insert(
                            header_id.clone(),
                            rows.into_iter().next().unwrap_or_default(),
                        );
                    }
                    let header = &headers[&header_id];
                    receipts.push(docket_domain::erp::GoodsReceipt {
                        number: text(header, "ReceiptNumber"),
                        item: text(&r, "LineNumber"),
                        purchase_order: text(&po, "OrderNumber"),
                        purchase_order_line: lines
                            .get(&text(&r, "PurchaseOrderLineID"))
                            .cloned()
                            .unwrap_or_default(),
                        quantity: decimal(&r, "QuantityReceived"),
                        date: date(header, "ReceiptDate").unwrap_or_default(),
                    });
                }
            }
        }
        Ok(receipts)
    }

    /// A purchase invoice with its lines traced back to PO numbers and lines.
    async fn invoice(&self, row: &Value, supplier_id: &str) -> Result<BookedInvoice, ErpError> {
        let filter = format!("InvoiceID eq {}", guid(&text(row, "ID")));
        let lines = self
            .client
            .list(
                "purchase/PurchaseInvoiceLines",
                &filter,
                "PurchaseOrderLine,Quantity,Amount",
            )
            .await?;
        let mut booked_lines = Vec::new();
        for line in lines {
            let filter = format!("ID eq {}", guid(&text(&line, "PurchaseOrderLine")));
            let po_line = self
                .client
                .list(
                    "purchaseorder/PurchaseOrderLines",
                    &filter,
                    "PurchaseOrderID,LineNumber",
                )
                .await?;
            let Some(po_line) = po_line.first() else {
                continue;
            };
            let filter = format!(
                "PurchaseOrderID eq {}",
                guid(&text(po_line, "PurchaseOrderID"))
            );
            let po = self
                .client
                .list("purchaseorder/PurchaseOrders", &filter, "OrderNumber")
                .await?;
            booked_lines.push(BookedLine {
                purchase_order: po
                    .first()
                    .map(|p| text(p, "OrderNumber"))
                    .unwrap_or_default(),
                purchase_order_line: text(po_line, "LineNumber"),
                quantity: decimal(&line, "Quantity"),
                amount: decimal(&line, "Amount"),
                goods_receipt: None,
                account: None,
            });
        }
        Ok(self.booked(
            row,
            supplier_id,
            "InvoiceDate",
            "Amount",
            row["Type"].as_i64() == Some(CREDIT_TYPE),
            booked_lines,
        ))
    }

    fn booked(
        &self,
        row: &Value,
        supplier_id: &str,
        day: &str,
        amount: &str,
        credit: bool,
        lines: Vec<BookedLine>,
    ) -> BookedInvoice {
        let currency = docket_domain::Currency::parse(&text(row, "Currency"))
            .unwrap_or(self.settings().currency);
        BookedInvoice {
            erp_ref: text(row, "EntryNumber"),
            supplier_id: supplier_id.to_string(),
            supplier_reference: text(row, "YourRef"),
            kind: if credit {
                DocumentKind::CreditNote
            } else {
                DocumentKind::Invoice
            },
            document_date: date(row, day).unwrap_or_default(),
            gross: Money::new(decimal(row, amount).abs(), currency),
            lines,
            idempotency_key: opt(row, "Description"),
            reversed: flag(row, "Reversal"),
        }
    }

    /// Bookings of the supplier under `reference`: purchase invoices and purchase entries.
    pub(super) async fn bookings_by_reference(
        &self,
        supplier: &str,
        supplier_id: &str,
        reference: &str,
    ) -> Result<Vec<BookedInvoice>, ErpError> {
        let filter = format!(
            "Supplier eq {} and YourRef eq {}",
            guid(supplier),
            quote(reference)
        );
        let mut found = Vec::new();
        for row in self
            .client
            .list("purchase/PurchaseInvoices", &filter, INVOICE)
            .await?
        {
            found.push(self.invoice(&row, supplier_id).await?);
        }
        for row in self
            .client
            .list("purchaseentry/PurchaseEntries", &filter, ENTRY)
            .await?
        {
            let credit = row["Type"].as_i64() == Some(ENTRY_CREDIT_TYPE);
            found.push(self.booked(
                &row,
                supplier_id,
                "EntryDate",
                "AmountFC",
                credit,
                Vec::new(),
            ));
        }
        Ok(found)
    }

    pub(super) async fn bookings(
        &self,
        query: &crate::BookedQuery,
    ) -> Result<Vec<BookedInvoice>, ErpError> {
        let Some(supplier) = self.supplier_guid(&query.supplier_id).await? else {
            return Ok(Vec::new());
        };
        let mut found: Vec<BookedInvoice> = Vec::new();
        for reference in &query.references {
            found.extend(
                self.bookings_by_reference(&supplier, &query.supplier_id, reference)
                    .await?,
            );
        }
        for number in &query.purchase_orders {
            for po in self.order_rows(number).await? {
                for line in self.lines_of(&text(&po, "PurchaseOrderID")).await? {
                    let filter = format!("PurchaseOrderLine eq {}", guid(&text(&line, "ID")));
                    for l in self
                        .client
                        .list("purchase/PurchaseInvoiceLines", &filter, "InvoiceID")
                        .await?
                    {
                        let filter = format!(
                            "ID eq {} and Supplier eq {}",
                            guid(&text(&l, "InvoiceID")),
                            guid(&supplier)
                        );
                        for row in self
                            .client
                            .list("purchase/PurchaseInvoices", &filter, INVOICE)
                            .await?
                        {
                            found.push(self.invoice(&row, &query.supplier_id).await?);
                        }
                    }
                }
            }
        }
        let mut unique: Vec<BookedInvoice> = Vec::new();
        for b in found {
            if !unique
                .iter()
                .any(|u| u.erp_ref == b.erp_ref && u.lines.is_empty() == b.lines.is_empty())
            {
                unique.push(b);
            }
        }
        unique.sort_by_key(|b| b.document_date);
        Ok(unique)
    }

    pub(super) async fn booking(
        &self,
        supplier_id: &str,
        reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        let Some(supplier) = self.supplier_guid(supplier_id).await? else {
            return Ok(None);
        };
        let found = self
            .bookings_by_reference(&supplier, supplier_id, reference)
            .await?;
        Ok(found.into_iter().find(|b| b.kind == kind && !b.reversed))
    }

    /// The body of the booking: a linked purchase invoice, or the purchase-entry fallback.
    async fn booking_body(
        &self,
        request: &BookingRequest,
        supplier: &str,
    ) -> Result<(&'static str, Value), ErpError> {
        let credit = request.kind == DocumentKind::CreditNote;
        let linkable = !request.lines.is_empty()
            && request
                .lines
                .iter()
                .all(|l| !l.purchase_order_line.trim().is_empty());
        let s = self.settings();
        if linkable {
            let mut lines = Vec::new();
            for l in &request.lines {
                let po_line = self
                    .po_line_guid(&l.purchase_order, &l.purchase_order_line)
                    .await?;
                lines.push(json!({"PurchaseOrderLine": po_line, "Quantity": number(l.quantity), "Amount": number(l.amount)}));
            }
            let body = json!({"Supplier": supplier, "Journal": s.purchase_journal,
                "InvoiceDate": request.document_date.to_string(), "YourRef": request.supplier_reference,
                "Currency": request.gross.currency.code(), "Amount": number(request.gross.amount),
                "Type": if credit { CREDIT_TYPE } else { INVOICE_TYPE },
                "Description": request.idempotency_key, "PurchaseInvoiceLines": lines});
            return Ok(("purchase/PurchaseInvoices", body));
        }
        let gl_for = |account: Option<&String>| {
            account
                .filter(|a| a.len() == 36 && a.matches('-').count() == 4)
                .or(s.expense_gl_account.as_ref())
                .cloned()
                .ok_or_else(|| ErpError::Permanent("no Exact G/L account (a GUID) for a line without a PO link; set expense_gl_account".into()))
        };
        let mut lines = Vec::new();
        for l in &request.lines {
            lines.push(json!({"GLAccount": gl_for(l.account.as_ref())?, "AmountFC": number(l.amount), "Quantity": number(l.quantity)}));
        }
        if lines.is_empty() {
            lines.push(
                json!({"GLAccount": gl_for(None)?, "AmountFC": number(request.gross.amount)}),
            );
        }
        let body = json!({"Supplier": supplier, "Journal": s.purchase_journal,
            "EntryDate": request.document_date.to_string(), "YourRef": request.supplier_reference,
            "Currency": request.gross.currency.code(), "Type": if credit { ENTRY_CREDIT_TYPE } else { 20 },
            "Description": request.idempotency_key, "PurchaseEntryLines": lines});
        Ok(("purchaseentry/PurchaseEntries", body))
    }

    async fn po_line_guid(&self, order: &str, line: &str) -> Result<String, ErpError> {
        for po in self.order_rows(order).await? {
            for l in self.lines_of(&text(&po, "PurchaseOrderID")).await? {
                if docket_domain::normalize::same_line_number(&text(&l, "LineNumber"), line) {
                    return Ok(text(&l, "ID"));
                }
            }
        }
        Err(ErpError::Permanent(format!(
            "PO {order} line {line} does not exist in Exact; not booked"
        )))
    }

    pub(super) async fn book(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        let supplier = self.known_supplier(&request.supplier_id).await?;
        let (path, body) = self.booking_body(request, &supplier).await?;
        let lookup = || {
            self.booking(
                &request.supplier_id,
                &request.supplier_reference,
                request.kind,
            )
        };
        let ours = |b: &BookedInvoice| {
            b.idempotency_key.as_deref() == Some(request.idempotency_key.as_str())
        };
        let create = || async {
            self.client.create(path, &body).await?;
            lookup()
                .await?
                .ok_or_else(|| ErpError::Transient("booked, but Exact does not show it yet".into()))
        };
        let booked = super::once(
            &self.settings().http,
            lookup,
            ours,
            create,
            |b: &BookedInvoice| {
                ErpError::Conflict(format!(
                    "reference {} is already booked in Exact as {}",
                    request.supplier_reference, b.erp_ref
                ))
            },
        )
        .await?;
        tracing::info!(erp_ref = %booked.erp_ref, supplier = %booked.supplier_id, "Exact booked");
        Ok(booked)
    }
}
