//! The part of SAP's metadata the simulator serves: services, entity sets,
//! keys, the properties it fills and the navigations it resolves.
//!
//! Every name here is checked against the EDMX files in
//! `../shared/erp-specs/sap` (tests/sap_edmx.rs), and every other module
//! takes its names from here, so a typo cannot hide in a handler: a
//! `$filter` or `$select` on a property this table lacks is answered with
//! SAP's 400, as the real service answers a property its type lacks.

/// A navigation property: from one entity to the entities of `target`
/// whose `join` properties equal this entity's.
#[derive(Debug)]
pub struct Nav {
    /// The navigation's name (`to_PurchaseOrderItem`).
    pub name: &'static str,
    /// The entity set it leads to.
    pub target: &'static str,
    /// (property here, property there) pairs that must be equal.
    pub join: &'static [(&'static str, &'static str)],
    /// To many (expanded as `{"results":[…]}`) or to one (expanded as the entity).
    pub many: bool,
}

/// An entity set as the simulator serves it.
#[derive(Debug)]
pub struct EntitySet {
    /// The OData service it belongs to.
    pub service: &'static str,
    /// The entity set's name.
    pub name: &'static str,
    /// Its entity type (without the namespace).
    pub entity_type: &'static str,
    /// The key properties, in the EDMX's order.
    pub keys: &'static [&'static str],
    /// The properties the simulator fills (a subset of the type's).
    pub properties: &'static [&'static str],
    /// The navigations it resolves (expanded or deferred).
    pub navigations: &'static [Nav],
}

impl EntitySet {
    /// Whether the type has this property (as far as the simulator serves it).
    pub fn has(&self, property: &str) -> bool {
        self.properties.contains(&property)
    }

    /// Whether the property is an `Edm.DateTimeOffset` (compared with
    /// `datetimeoffset'…'` literals; every other date is an `Edm.DateTime`).
    pub fn is_offset(&self, property: &str) -> bool {
        DATE_TIME_OFFSETS.contains(&(self.name, property))
    }

    /// The navigation called `name`.
    pub fn nav(&self, name: &str) -> Option<&'static Nav> {
        self.navigations.iter().find(|n| n.name == name)
    }
}

/// API_BUSINESS_PARTNER.
pub const BUSINESS_PARTNER: &str = "API_BUSINESS_PARTNER";
/// API_PURCHASEORDER_PROCESS_SRV.
pub const PURCHASE_ORDER: &str = "API_PURCHASEORDER_PROCESS_SRV";
/// API_MATERIAL_DOCUMENT_SRV.
pub const MATERIAL_DOCUMENT: &str = "API_MATERIAL_DOCUMENT_SRV";
/// API_SUPPLIERINVOICE_PROCESS_SRV.
pub const SUPPLIER_INVOICE: &str = "API_SUPPLIERINVOICE_PROCESS_SRV";
/// API_SALES_ORDER_SRV.
pub const SALES_ORDER: &str = "API_SALES_ORDER_SRV";

/// The `Edm.DateTimeOffset` properties served, as the EDMX types them.
pub static DATE_TIME_OFFSETS: &[(&str, &str)] = &[("A_PurchaseOrder", "LastChangeDateTime")];

/// Every entity set the simulator serves.
pub static SETS: &[EntitySet] = &[
    EntitySet {
        service: BUSINESS_PARTNER,
        name: "A_Supplier",
        entity_type: "A_SupplierType",
        keys: &["Supplier"],
        properties: &[
            "Supplier",
            "SupplierName",
            "SupplierFullName",
            "VATRegistration",
            "TaxNumber1",
            "PostingIsBlocked",
            "PaymentIsBlockedForSupplier",
            "PurchasingIsBlocked",
            "DeletionIndicator",
            "CreationDate",
        ],
        navigations: &[],
    },
    EntitySet {
        service: BUSINESS_PARTNER,
        name: "A_BusinessPartner",
        entity_type: "A_BusinessPartnerType",
        keys: &["BusinessPartner"],
        properties: &[
            "BusinessPartner",
            "BusinessPartnerFullName",
            "CreationDate",
            "LastChangeDate",
        ],
        navigations: &[],
    },
    EntitySet {
        service: BUSINESS_PARTNER,
        name: "A_BusinessPartnerBank",
        entity_type: "A_BusinessPartnerBankType",
        keys: &["BusinessPartner", "BankIdentification"],
        properties: &[
            "BusinessPartner",
            "BankIdentification",
            "BankCountryKey",
            "IBAN",
            "BankAccountHolderName",
        ],
        navigations: &[],
    },
    EntitySet {
        service: BUSINESS_PARTNER,
        name: "A_Customer",
        entity_type: "A_CustomerType",
        keys: &["Customer"],
        properties: &[
            "Customer",
            "CustomerName",
            "CustomerFullName",
            "VATRegistration",
            "OrderIsBlockedForCustomer",
            "DeletionIndicator",
        ],
        navigations: &[],
    },
    EntitySet {
        service: PURCHASE_ORDER,
        name: "A_PurchaseOrder",
        entity_type: "A_PurchaseOrderType",
        keys: &["PurchaseOrder"],
        properties: &[
            "PurchaseOrder",
            "CompanyCode",
            "PurchaseOrderType",
            "PurchasingDocumentDeletionCode",
            "PurchasingProcessingStatus",
            "Supplier",
            "InvoicingParty",
            "PurchasingOrganization",
            "PurchasingGroup",
            "PurchaseOrderDate",
            "DocumentCurrency",
            "PaymentTerms",
            "CreationDate",
            "LastChangeDateTime",
        ],
        navigations: &[Nav {
            name: "to_PurchaseOrderItem",
            target: "A_PurchaseOrderItem",
            many: true,
            join: &[("PurchaseOrder", "PurchaseOrder")],
        }],
    },
    EntitySet {
        service: PURCHASE_ORDER,
        name: "A_PurchaseOrderItem",
        entity_type: "A_PurchaseOrderItemType",
        keys: &["PurchaseOrder", "PurchaseOrderItem"],
        properties: &[
            "PurchaseOrder",
            "PurchaseOrderItem",
            "PurchasingDocumentDeletionCode",
            "PurchaseOrderItemText",
            "Plant",
            "Material",
            "SupplierMaterialNumber",
            "OrderQuantity",
            "PurchaseOrderQuantityUnit",
            "OrderPriceUnit",
            "DocumentCurrency",
            "NetPriceAmount",
            "NetPriceQuantity",
            "TaxCode",
            "IsCompletelyDelivered",
            "IsFinallyInvoiced",
            "GoodsReceiptIsExpected",
            "InvoiceIsExpected",
            "InvoiceIsGoodsReceiptBased",
            "AccountAssignmentCategory",
        ],
        navigations: &[Nav {
            name: "to_PurchaseOrder",
            target: "A_PurchaseOrder",
            many: false,
            join: &[("PurchaseOrder", "PurchaseOrder")],
        }],
    },
    EntitySet {
        service: MATERIAL_DOCUMENT,
        name: "A_MaterialDocumentHeader",
        entity_type: "A_MaterialDocumentHeaderType",
        keys: &["MaterialDocumentYear", "MaterialDocument"],
        properties: &[
            "MaterialDocumentYear",
            "MaterialDocument",
            "DocumentDate",
            "PostingDate",
            "GoodsMovementCode",
            "ReferenceDocument",
            "CreationDate",
        ],
        navigations: &[Nav {
            name: "to_MaterialDocumentItem",
            target: "A_MaterialDocumentItem",
            many: true,
            join: &[
                ("MaterialDocumentYear", "MaterialDocumentYear"),
                ("MaterialDocument", "MaterialDocument"),
            ],
        }],
    },
    EntitySet {
        service: MATERIAL_DOCUMENT,
        name: "A_MaterialDocumentItem",
        entity_type: "A_MaterialDocumentItemType",
        keys: &[
            "MaterialDocumentYear",
            "MaterialDocument",
            "MaterialDocumentItem",
        ],
        properties: &[
            "MaterialDocumentYear",
            "MaterialDocument",
            "MaterialDocumentItem",
            "Material",
            "Plant",
            "GoodsMovementType",
            "Supplier",
            "PurchaseOrder",
            "PurchaseOrderItem",
            "GoodsMovementRefDocType",
            "QuantityInEntryUnit",
            "EntryUnit",
            "GoodsMovementIsCancelled",
            "ReversedMaterialDocumentYear",
            "ReversedMaterialDocument",
            "ReversedMaterialDocumentItem",
        ],
        navigations: &[Nav {
            name: "to_MaterialDocumentHeader",
            target: "A_MaterialDocumentHeader",
            many: false,
            join: &[
                ("MaterialDocumentYear", "MaterialDocumentYear"),
                ("MaterialDocument", "MaterialDocument"),
            ],
        }],
    },
    EntitySet {
        service: SUPPLIER_INVOICE,
        name: "A_SupplierInvoice",
        entity_type: "A_SupplierInvoiceType",
        keys: &["SupplierInvoice", "FiscalYear"],
        properties: &[
            "SupplierInvoice",
            "FiscalYear",
            "CompanyCode",
            "DocumentDate",
            "PostingDate",
            "SupplierInvoiceIDByInvcgParty",
            "InvoicingParty",
            "DocumentCurrency",
            "InvoiceGrossAmount",
            "DocumentHeaderText",
            "SupplierInvoiceStatus",
            "TaxIsCalculatedAutomatically",
            "SupplierInvoiceIsCreditMemo",
            "IsReversed",
        ],
        navigations: &[
            Nav {
                name: "to_SuplrInvcItemPurOrdRef",
                target: "A_SuplrInvcItemPurOrdRef",
                many: true,
                join: &[
                    ("SupplierInvoice", "SupplierInvoice"),
                    ("FiscalYear", "FiscalYear"),
                ],
            },
            Nav {
                name: "to_SupplierInvoiceItemGLAcct",
                target: "A_SupplierInvoiceItemGLAcct",
                many: true,
                join: &[
                    ("SupplierInvoice", "SupplierInvoice"),
                    ("FiscalYear", "FiscalYear"),
                ],
            },
        ],
    },
    EntitySet {
        service: SUPPLIER_INVOICE,
        name: "A_SuplrInvcItemPurOrdRef",
        entity_type: "A_SuplrInvcItemPurOrdRefType",
        keys: &["SupplierInvoice", "FiscalYear", "SupplierInvoiceItem"],
        properties: &[
            "SupplierInvoice",
            "FiscalYear",
            "SupplierInvoiceItem",
            "PurchaseOrder",
            "PurchaseOrderItem",
            "ReferenceDocument",
            "ReferenceDocumentFiscalYear",
            "ReferenceDocumentItem",
            "TaxCode",
            "DocumentCurrency",
            "SupplierInvoiceItemAmount",
            "PurchaseOrderQuantityUnit",
            "QuantityInPurchaseOrderUnit",
        ],
        navigations: &[],
    },
    EntitySet {
        service: SUPPLIER_INVOICE,
        name: "A_SupplierInvoiceItemGLAcct",
        entity_type: "A_SupplierInvoiceItemGLAcctType",
        keys: &["SupplierInvoice", "FiscalYear", "SupplierInvoiceItem"],
        properties: &[
            "SupplierInvoice",
            "FiscalYear",
            "SupplierInvoiceItem",
            "CompanyCode",
            "GLAccount",
            "DocumentCurrency",
            "SupplierInvoiceItemAmount",
            "DebitCreditCode",
            "TaxCode",
        ],
        navigations: &[],
    },
    EntitySet {
        service: SALES_ORDER,
        name: "A_SalesOrder",
        entity_type: "A_SalesOrderType",
        keys: &["SalesOrder"],
        properties: &[
            "SalesOrder",
            "SalesOrderType",
            "SalesOrganization",
            "DistributionChannel",
            "OrganizationDivision",
            "SoldToParty",
            "PurchaseOrderByCustomer",
            "SalesOrderDate",
            "RequestedDeliveryDate",
            "TransactionCurrency",
            "TotalNetAmount",
        ],
        navigations: &[Nav {
            name: "to_Item",
            target: "A_SalesOrderItem",
            many: true,
            join: &[("SalesOrder", "SalesOrder")],
        }],
    },
    EntitySet {
        service: SALES_ORDER,
        name: "A_SalesOrderItem",
        entity_type: "A_SalesOrderItemType",
        keys: &["SalesOrder", "SalesOrderItem"],
        properties: &[
            "SalesOrder",
            "SalesOrderItem",
            "Material",
            "SalesOrderItemText",
            "RequestedQuantity",
            "RequestedQuantityUnit",
            "TransactionCurrency",
            "NetAmount",
        ],
        navigations: &[Nav {
            name: "to_SalesOrder",
            target: "A_SalesOrder",
            many: false,
            join: &[("SalesOrder", "SalesOrder")],
        }],
    },
];

/// The entity set `name` of `service`.
pub fn set(service: &str, name: &str) -> Option<&'static EntitySet> {
    SETS.iter().find(|s| s.service == service && s.name == name)
}

/// The entity set `name` (names are unique across the services served).
pub fn by_name(name: &str) -> &'static EntitySet {
    SETS.iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("entity set {name} is not in the simulator's schema"))
}
