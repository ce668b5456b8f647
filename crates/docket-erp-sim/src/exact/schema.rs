//! The entities the simulator serves: their URLs, keys and the fields it
//! keeps, each with its OData type (names from Exact's official client and
//! picqer, checked against `../shared/erp-specs` by the spec test).
//!
//! Types matter because Exact is strict about them: a GUID field compared
//! with a plain string literal is a 400, as is an unknown property.

/// The OData type of a field, as the filter and the writes check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Edm.Guid`: filtered as `guid'…'`.
    Guid,
    /// `Edm.String`.
    Str,
    /// `Edm.Int32` / `Edm.Int64` (kept as a JSON number).
    Int,
    /// `Edm.Double`.
    Num,
    /// `Edm.Boolean`.
    Bool,
    /// `Edm.DateTime`: `/Date(ms)/` on the wire, `datetime'…'` in filters.
    Date,
}

/// One entity set.
#[derive(Debug)]
pub struct Entity {
    /// The name in the spec file (`PurchaseOrder`).
    pub name: &'static str,
    /// The URL below the division (`purchaseorder/PurchaseOrders`).
    pub path: &'static str,
    /// The key field.
    pub key: &'static str,
    /// The fields kept, with their types.
    pub fields: &'static [(&'static str, Kind)],
}

impl Entity {
    /// The type of `field`, if the entity has it.
    pub fn kind(&self, field: &str) -> Option<Kind> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
    }
}

use Kind::{Bool, Date, Guid, Int, Num, Str};

/// An entity set (see [`ENTITIES`]).
pub const ACCOUNTS: Entity = Entity {
    name: "Account",
    path: "crm/Accounts",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("Code", Str),
        ("Name", Str),
        ("VATNumber", Str),
        ("Country", Str),
        ("Website", Str),
        ("IsSupplier", Bool),
        ("IsSales", Bool),
        ("Blocked", Bool),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const BANK_ACCOUNTS: Entity = Entity {
    name: "BankAccount",
    path: "crm/BankAccounts",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("Account", Guid),
        ("BankAccount", Str),
        ("IBAN", Str),
        ("Main", Bool),
        ("Blocked", Bool),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_ORDERS: Entity = Entity {
    name: "PurchaseOrder",
    path: "purchaseorder/PurchaseOrders",
    key: "PurchaseOrderID",
    fields: &[
        ("PurchaseOrderID", Guid),
        ("OrderNumber", Int),
        ("Supplier", Guid),
        ("SupplierCode", Str),
        ("OrderDate", Date),
        ("Currency", Str),
        ("AmountFC", Num),
        ("OrderStatus", Int),
        ("ReceiptStatus", Int),
        ("InvoiceStatus", Int),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_ORDER_LINES: Entity = Entity {
    name: "PurchaseOrderLine",
    path: "purchaseorder/PurchaseOrderLines",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("PurchaseOrderID", Guid),
        ("LineNumber", Int),
        ("Item", Guid),
        ("ItemCode", Str),
        ("SupplierItemCode", Str),
        ("Description", Str),
        ("Quantity", Num),
        ("ReceivedQuantity", Num),
        ("InvoicedQuantity", Num),
        ("UnitPrice", Num),
        ("AmountFC", Num),
        ("VATPercentage", Num),
        ("Unit", Str),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const GOODS_RECEIPTS: Entity = Entity {
    name: "GoodsReceipt",
    path: "purchaseorder/GoodsReceipts",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("ReceiptNumber", Int),
        ("ReceiptDate", Date),
        ("Supplier", Guid),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const GOODS_RECEIPT_LINES: Entity = Entity {
    name: "GoodsReceiptLine",
    path: "purchaseorder/GoodsReceiptLines",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("GoodsReceiptID", Guid),
        ("LineNumber", Int),
        ("PurchaseOrderID", Guid),
        ("PurchaseOrderLineID", Guid),
        ("PurchaseOrderNumber", Int),
        ("QuantityReceived", Num),
        ("Modified", Date),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_INVOICES: Entity = Entity {
    name: "PurchaseInvoice",
    path: "purchase/PurchaseInvoices",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("EntryNumber", Int),
        ("Supplier", Guid),
        ("Journal", Str),
        ("InvoiceDate", Date),
        ("YourRef", Str),
        ("Currency", Str),
        ("Amount", Num),
        ("Type", Int),
        ("Status", Int),
        ("Description", Str),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_INVOICE_LINES: Entity = Entity {
    name: "PurchaseInvoiceLine",
    path: "purchase/PurchaseInvoiceLines",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("InvoiceID", Guid),
        ("LineNumber", Int),
        ("PurchaseOrderLine", Guid),
        ("Item", Guid),
        ("Quantity", Num),
        ("UnitPrice", Num),
        ("Amount", Num),
        ("Description", Str),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_ENTRIES: Entity = Entity {
    name: "PurchaseEntry",
    path: "purchaseentry/PurchaseEntries",
    key: "EntryID",
    fields: &[
        ("EntryID", Guid),
        ("EntryNumber", Int),
        ("Journal", Str),
        ("Supplier", Guid),
        ("EntryDate", Date),
        ("YourRef", Str),
        ("Currency", Str),
        ("AmountFC", Num),
        ("Type", Int),
        ("Status", Int),
        ("Reversal", Bool),
        ("Description", Str),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const PURCHASE_ENTRY_LINES: Entity = Entity {
    name: "PurchaseEntryLine",
    path: "purchaseentry/PurchaseEntryLines",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("EntryID", Guid),
        ("LineNumber", Int),
        ("GLAccount", Guid),
        ("AmountFC", Num),
        ("VATCode", Str),
        ("Quantity", Num),
        ("Description", Str),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const ITEMS: Entity = Entity {
    name: "Item",
    path: "logistics/Items",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("Code", Str),
        ("Description", Str),
        ("Unit", Str),
        ("StandardSalesPrice", Num),
        ("Barcode", Str),
        ("IsSalesItem", Bool),
        ("IsPurchaseItem", Bool),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const SALES_ORDERS: Entity = Entity {
    name: "SalesOrder",
    path: "salesorder/SalesOrders",
    key: "OrderID",
    fields: &[
        ("OrderID", Guid),
        ("OrderNumber", Int),
        ("OrderedBy", Guid),
        ("YourRef", Str),
        ("OrderDate", Date),
        ("DeliveryDate", Date),
        ("Currency", Str),
        ("Description", Str),
        ("Status", Int),
    ],
};

/// An entity set (see [`ENTITIES`]).
pub const SALES_ORDER_LINES: Entity = Entity {
    name: "SalesOrderLine",
    path: "salesorder/SalesOrderLines",
    key: "ID",
    fields: &[
        ("ID", Guid),
        ("OrderID", Guid),
        ("LineNumber", Int),
        ("Item", Guid),
        ("ItemCode", Str),
        ("Quantity", Num),
        ("UnitPrice", Num),
        ("UnitCode", Str),
    ],
};

/// `current/Me`, outside any division.
pub const ME: Entity = Entity {
    name: "Me",
    path: "current/Me",
    key: "UserID",
    fields: &[
        ("UserID", Guid),
        ("UserName", Str),
        ("FullName", Str),
        ("CurrentDivision", Int),
    ],
};

/// Every entity set below the division.
pub const ENTITIES: &[&Entity] = &[
    &ACCOUNTS,
    &BANK_ACCOUNTS,
    &PURCHASE_ORDERS,
    &PURCHASE_ORDER_LINES,
    &GOODS_RECEIPTS,
    &GOODS_RECEIPT_LINES,
    &PURCHASE_INVOICES,
    &PURCHASE_INVOICE_LINES,
    &PURCHASE_ENTRIES,
    &PURCHASE_ENTRY_LINES,
    &ITEMS,
    &SALES_ORDERS,
    &SALES_ORDER_LINES,
];

/// The entity set at `path` below the division.
pub fn entity(path: &str) -> Option<&'static Entity> {
    ENTITIES.iter().copied().find(|e| e.path == path)
}
