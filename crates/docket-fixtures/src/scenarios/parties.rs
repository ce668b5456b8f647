//! The companies: Kestrel (the buyer), its suppliers, one supplier the ERP does not
//! know, and the customers and products of the sales side.
//!
//! Every VAT id and IBAN here carries real check digits (DE: ISO 7064 MOD 11,10;
//! NL: the 11-test with the last digit weighted -1; IE: weights 8..2 mod 23; FR:
//! (12 + 3 * (SIREN mod 97)) mod 97; IBAN: ISO 13616 mod 97; French RIB key too).
//! The tests in `tests/erp.rs` recompute them. All domains are `.example`.

use rust_decimal_macros::dec;

use super::{Bank, Company, Lang, Layout};

/// Us: the company whose accounts payable Docket runs.
pub const KESTREL: Company = Company {
    erp_id: None,
    name: "Kestrel Instruments GmbH",
    street: "Industriestraße 12",
    postcode: "50667",
    city: "Köln",
    country: "DE",
    vat_id: "DE314059263",
    tax_number: Some("214/5738/0912"),
    register: "Amtsgericht Köln, HRB 98217",
    managers: "Dr. Jana Weiss, Tobias Kern",
    phone: "+49 221 5508 300",
    email: "ap@kestrel-instruments.example",
    web: "www.kestrel-instruments.example",
    banks: &[Bank {
        iban: "DE85370501980019283746",
        bic: "COLSDE33XXX",
        name: "Sparkasse KölnBonn",
    }],
    email_domains: &["kestrel-instruments.example"],
    lang: Lang::De,
    layout: Layout::A,
    our_customer_number: "",
};

/// 100101: office supplies, German layout A.
pub const NORDWIND: Company = Company {
    erp_id: Some("100101"),
    name: "Nordwind Bürobedarf GmbH",
    street: "Am Sandtorkai 41",
    postcode: "20457",
    city: "Hamburg",
    country: "DE",
    vat_id: "DE273819459",
    tax_number: Some("48/712/04519"),
    register: "Amtsgericht Hamburg, HRB 154872",
    managers: "Henrike Sörensen, Malte Brandt",
    phone: "+49 40 3861 7720",
    email: "rechnung@nordwind-buero.example",
    web: "www.nordwind-buero.example",
    banks: &[
        Bank {
            iban: "DE12200505501283746510",
            bic: "HASPDEHHXXX",
            name: "Hamburger Sparkasse",
        },
        Bank {
            iban: "DE29200400000614382900",
            bic: "COBADEFFXXX",
            name: "Commerzbank Hamburg",
        },
    ],
    email_domains: &["nordwind-buero.example"],
    lang: Lang::De,
    layout: Layout::A,
    our_customer_number: "24017",
};

/// A valid German IBAN that is on nobody's master record (case 07).
pub const UNRECORDED_BANK: Bank = Bank {
    iban: "DE81200700000092817364",
    bic: "DEUTDEHHXXX",
    name: "Deutsche Bank Hamburg",
};

/// 100102: packaging, Dutch layout B.
pub const VAN_LEEUWEN: Company = Company {
    erp_id: Some("100102"),
    name: "Van Leeuwen Verpakkingen B.V.",
    street: "Waalhaven Zuidzijde 18",
    postcode: "3089 JH",
    city: "Rotterdam",
    country: "NL",
    vat_id: "NL819403520B01",
    tax_number: None,
    register: "KvK 24371958",
    managers: "P.J. van Leeuwen",
    phone: "+31 10 429 8810",
    email: "facturen@vanleeuwen-verpakkingen.example",
    web: "www.vanleeuwen-verpakkingen.example",
    banks: &[Bank {
        iban: "NL59RABO0312847564",
        bic: "RABONL2U",
        name: "Rabobank Rotterdam",
    }],
    email_domains: &["vanleeuwen-verpakkingen.example"],
    lang: Lang::Nl,
    layout: Layout::B,
    our_customer_number: "DEB-8812",
};

/// 100103: electronic components, English layout C.
pub const BRIGHTLINE: Company = Company {
    erp_id: Some("100103"),
    name: "Brightline Electronics Ltd",
    street: "Unit 4, Airport Business Park, Kinsale Road",
    postcode: "T12 X2P4",
    city: "Cork",
    country: "IE",
    vat_id: "IE4821937C",
    tax_number: None,
    register: "Registered in Ireland No. 583916",
    managers: "Aoife Murphy, Declan O'Sullivan",
    phone: "+353 21 490 3377",
    email: "accounts@brightline-electronics.example",
    web: "www.brightline-electronics.example",
    banks: &[
        Bank {
            iban: "IE59AIBK93338127416093",
            bic: "AIBKIE2D",
            name: "AIB Bank, Patrick Street, Cork",
        },
        Bank {
            iban: "IE19BOFI90001758204316",
            bic: "BOFIIE2D",
            name: "Bank of Ireland",
        },
    ],
    email_domains: &["brightline-electronics.example"],
    lang: Lang::En,
    layout: Layout::C,
    our_customer_number: "C-00391",
};

/// 100104: cases and front panels, the Factur-X hybrid.
pub const DUBOIS: Company = Company {
    erp_id: Some("100104"),
    name: "Atelier Dubois SARL",
    street: "27 rue de la Charité",
    postcode: "69002",
    city: "Lyon",
    country: "FR",
    vat_id: "FR10512483074",
    tax_number: None,
    register: "RCS Lyon 512 483 074 – SIRET 512 483 074 00021 – APE 1512Z",
    managers: "Claire Dubois",
    phone: "+33 4 78 42 19 60",
    email: "compta@atelier-dubois.example",
    web: "www.atelier-dubois.example",
    banks: &[Bank {
        iban: "FR7630004008190001047293665",
        bic: "BNPAFRPPXXX",
        name: "BNP Paribas Lyon Bellecour",
    }],
    email_domains: &["atelier-dubois.example"],
    lang: Lang::Fr,
    layout: Layout::F,
    our_customer_number: "CL-0457",
};

/// 100105: industrial supplies, sends UBL by e-mail.
pub const SCHMIDT: Company = Company {
    erp_id: Some("100105"),
    name: "Schmidt Industriebedarf KG",
    street: "Heilbronner Straße 150",
    postcode: "70191",
    city: "Stuttgart",
    country: "DE",
    vat_id: "DE148650364",
    tax_number: Some("99015/28734"),
    register: "Amtsgericht Stuttgart, HRA 731205",
    managers: "Rainer Schmidt",
    phone: "+49 711 25 88 40",
    email: "buchhaltung@schmidt-industriebedarf.example",
    web: "www.schmidt-industriebedarf.example",
    banks: &[Bank {
        iban: "DE83600501017491823050",
        bic: "SOLADEST600",
        name: "BW-Bank Stuttgart",
    }],
    email_domains: &["schmidt-industriebedarf.example"],
    lang: Lang::De,
    layout: Layout::D,
    our_customer_number: "10442",
};

/// 100106: precision parts, sends its PDF by e-mail, German layout D.
pub const MUELLER: Company = Company {
    erp_id: Some("100106"),
    name: "Müller Präzisionsteile GmbH",
    street: "Sigmundstraße 220",
    postcode: "90431",
    city: "Nürnberg",
    country: "DE",
    vat_id: "DE294105731",
    tax_number: Some("241/118/60372"),
    register: "Amtsgericht Nürnberg, HRB 30518",
    managers: "Stefan Müller, Aylin Demir",
    phone: "+49 911 32 07 55-0",
    email: "rechnungen@mueller-praezision.example",
    web: "www.mueller-praezision.example",
    banks: &[Bank {
        iban: "DE77760501010010738294",
        bic: "SSKNDE77XXX",
        name: "Sparkasse Nürnberg",
    }],
    email_domains: &["mueller-praezision.example"],
    lang: Lang::De,
    layout: Layout::D,
    our_customer_number: "K-2093",
};

/// A lab-supplies trader the ERP has never heard of (case 09).
pub const FELDMANN: Company = Company {
    erp_id: None,
    name: "Feldmann Laborbedarf e.K.",
    street: "Hastedter Heerstraße 63",
    postcode: "28207",
    city: "Bremen",
    country: "DE",
    vat_id: "DE268371427",
    tax_number: Some("60/145/28819"),
    register: "Amtsgericht Bremen, HRA 27744 HB",
    managers: "Inh. Jörg Feldmann",
    phone: "+49 421 44 93 18",
    email: "info@feldmann-labor.example",
    web: "www.feldmann-labor.example",
    banks: &[Bank {
        iban: "DE79290501010081726354",
        bic: "SBREDE22XXX",
        name: "Sparkasse Bremen",
    }],
    email_domains: &["feldmann-labor.example"],
    lang: Lang::De,
    layout: Layout::E,
    our_customer_number: "",
};

/// The suppliers on the ERP's master data, in id order.
pub const SUPPLIERS: [&Company; 6] = [
    &NORDWIND,
    &VAN_LEEUWEN,
    &BRIGHTLINE,
    &DUBOIS,
    &SCHMIDT,
    &MUELLER,
];

/// A customer of Kestrel (the order-intake side).
#[derive(Debug, Clone, Copy)]
pub struct CustomerData {
    /// ERP customer number.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// VAT id.
    pub vat_id: &'static str,
    /// E-mail domains it orders from.
    pub email_domains: &'static [&'static str],
}

/// Kestrel's customers.
pub const CUSTOMERS: [CustomerData; 3] = [
    CustomerData {
        id: "200201",
        name: "Hydrotec Anlagenbau GmbH",
        vat_id: "DE259173641",
        email_domains: &["hydrotec-anlagenbau.example"],
    },
    CustomerData {
        id: "200202",
        name: "Stadtwerke Lindenau GmbH",
        vat_id: "DE128460931",
        email_domains: &["stadtwerke-lindenau.example"],
    },
    CustomerData {
        id: "200203",
        name: "Delta Procesmeting B.V.",
        vat_id: "NL815420766B01",
        email_domains: &["deltaprocesmeting.example"],
    },
];

/// A product Kestrel sells.
#[derive(Debug, Clone, Copy)]
pub struct ProductData {
    /// Item code.
    pub code: &'static str,
    /// Description.
    pub description: &'static str,
    /// Sales unit.
    pub unit: &'static str,
    /// List price in EUR.
    pub price: rust_decimal::Decimal,
    /// GTIN (with a valid check digit).
    pub gtin: &'static str,
}

/// Kestrel's products.
pub fn products() -> Vec<ProductData> {
    vec![
        ProductData {
            code: "KI-PM-200",
            description: "Präzisionsmanometer 0–10 bar, Klasse 0,1",
            unit: "ST",
            price: dec!(1290.00),
            gtin: "4260741830014",
        },
        ProductData {
            code: "KI-DL-310",
            description: "Datenlogger Druck/Temperatur, 4 Kanäle",
            unit: "ST",
            price: dec!(845.00),
            gtin: "4260741830021",
        },
        ProductData {
            code: "KI-KS-015",
            description: "Kalibrierservice Druckmessgerät, DAkkS",
            unit: "ST",
            price: dec!(189.00),
            gtin: "4260741830038",
        },
        ProductData {
            code: "KI-AD-040",
            description: "Adapterset G1/4 – 1/4 NPT, Edelstahl",
            unit: "SET",
            price: dec!(64.50),
            gtin: "4260741830045",
        },
    ]
}
