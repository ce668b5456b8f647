//! The suppliers' catalogues: every article a scenario orders, written once.
//!
//! A purchase order line copies the article (codes, description, unit, price);
//! an invoice line refers to the PO line, so the wording and the agreed price
//! on the invoice come from here too unless a case overrides the price.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::Unit;

/// A supplier's catalogue entry: (supplier code, our code, description, unit, price).
pub(crate) type Article = (&'static str, &'static str, &'static str, Unit, Decimal);

// Nordwind Bürobedarf (office supplies).
pub(crate) const N_PAPER: Article = (
    "NW-10023",
    "BM-1001",
    "Kopierpapier A4, 80 g/m², weiß, 500 Blatt",
    Unit::Pack,
    dec!(4.85),
);
pub(crate) const N_BINDER: Article = (
    "NW-20411",
    "BM-1002",
    "Ordner A4, 80 mm Rückenbreite, blau",
    Unit::Piece,
    dec!(2.95),
);
pub(crate) const N_TONER: Article = (
    "NW-52210",
    "BM-1003",
    "Tonerkartusche TN-3480, schwarz",
    Unit::Piece,
    dec!(64.50),
);
pub(crate) const N_NOTES: Article = (
    "NW-40218",
    "BM-1004",
    "Haftnotizen 76 x 76 mm, gelb, 12 Blöcke",
    Unit::Pack,
    dec!(9.60),
);
pub(crate) const N_ENVELOPES: Article = (
    "NW-80044",
    "BM-1005",
    "Briefumschläge DIN lang, m. Fenster, 1000 St.",
    Unit::Pack,
    dec!(22.80),
);
pub(crate) const N_FOLDERS: Article = (
    "NW-60115",
    "BM-1006",
    "Hängemappen A4, grün, 25 Stück",
    Unit::Pack,
    dec!(14.25),
);
pub(crate) const N_MARKERS: Article = (
    "NW-70502",
    "BM-1007",
    "Whiteboard-Marker, 4 Farben",
    Unit::Set,
    dec!(6.40),
);
pub(crate) const N_PUNCH: Article = (
    "NW-13311",
    "BM-1008",
    "Locher, 40 Blatt, schwarz",
    Unit::Piece,
    dec!(8.75),
);
pub(crate) const N_PENS: Article = (
    "NW-31007",
    "BM-1009",
    "Kugelschreiber Druckmechanik, blau, 50 St.",
    Unit::Pack,
    dec!(18.90),
);
pub(crate) const N_LABELS: Article = (
    "NW-11240",
    "BM-1010",
    "Etiketten 70 x 36 mm, 100 Blatt",
    Unit::Pack,
    dec!(17.35),
);
pub(crate) const N_STAPLES: Article = (
    "NW-14120",
    "BM-1011",
    "Heftklammern 24/6, 5000 Stück",
    Unit::Pack,
    dec!(1.95),
);
pub(crate) const N_LAMINATE: Article = (
    "NW-15003",
    "BM-1012",
    "Laminierfolien A4, 125 µm, 100 Stück",
    Unit::Pack,
    dec!(12.60),
);
pub(crate) const N_FILES: Article = (
    "NW-17034",
    "BM-1013",
    "Stehsammler A4, grau",
    Unit::Piece,
    dec!(3.20),
);
pub(crate) const N_FLIPCHART: Article = (
    "NW-18221",
    "BM-1014",
    "Flipchart-Block 68 x 99 cm, 20 Blatt",
    Unit::Piece,
    dec!(7.45),
);
pub(crate) const N_DESKPAD: Article = (
    "NW-12009",
    "BM-1015",
    "Schreibtischunterlage Recycling, 65 x 50 cm",
    Unit::Piece,
    dec!(11.90),
);
pub(crate) const N_LAMP: Article = (
    "NW-19410",
    "BM-1016",
    "Tischleuchte LED, dimmbar, silber",
    Unit::Piece,
    dec!(39.90),
);
pub(crate) const N_TAPE: Article = (
    "NW-21550",
    "BM-1017",
    "Klebefilm 19 mm x 33 m, 8 Rollen",
    Unit::Pack,
    dec!(5.70),
);
pub(crate) const N_HIGHLIGHT: Article = (
    "NW-22018",
    "BM-1018",
    "Textmarker, 6 Farben",
    Unit::Set,
    dec!(4.95),
);
pub(crate) const N_SLEEVES: Article = (
    "NW-23307",
    "BM-1019",
    "Prospekthüllen A4, 100 Stück",
    Unit::Pack,
    dec!(3.85),
);
pub(crate) const N_BATTERIES: Article = (
    "NW-24412",
    "BM-1020",
    "Batterien AA Alkaline, 24 Stück",
    Unit::Pack,
    dec!(9.40),
);

// Van Leeuwen Verpakkingen (packaging).
pub(crate) const V_BOX: Article = (
    "VL-4030",
    "VP-2001",
    "Verzenddoos dubbele golf 600x400x400 mm",
    Unit::Piece,
    dec!(2.00),
);
pub(crate) const V_STRETCH: Article = (
    "VL-2116",
    "VP-2002",
    "Stretchfolie 500 mm x 300 m, 23 µm",
    Unit::Roll,
    dec!(8.90),
);
pub(crate) const V_TAPE: Article = (
    "VL-3308",
    "VP-2003",
    "Verpakkingstape PP 50 mm x 66 m, bruin",
    Unit::Roll,
    dec!(1.45),
);
pub(crate) const V_FOAM: Article = (
    "VL-8815",
    "VP-2004",
    "Schuiminleg PE op maat 580x380x60 mm",
    Unit::Piece,
    dec!(4.60),
);
pub(crate) const V_ESD: Article = (
    "VL-5140",
    "VP-2005",
    "Antistatische zak 200x250 mm, ESD",
    Unit::Piece,
    dec!(0.38),
);
pub(crate) const V_PALLETBOX: Article = (
    "VL-6021",
    "VP-2006",
    "Palletdoos karton 1200x800x1000 mm",
    Unit::Piece,
    dec!(18.75),
);
pub(crate) const V_FILLER: Article = (
    "VL-7702",
    "VP-2007",
    "Vulpapier 40 g/m², rol 450 m",
    Unit::Roll,
    dec!(24.50),
);

// Brightline Electronics (components).
pub(crate) const B_DCDC: Article = (
    "BL-PSU-1205",
    "EK-3001",
    "DC/DC converter 12 V to 5 V, 2 A, isolated",
    Unit::Piece,
    dec!(25.00),
);
pub(crate) const B_MCU: Article = (
    "BL-MCU-4471",
    "EK-3002",
    "Microcontroller STM32G474RET6, LQFP-64",
    Unit::Piece,
    dec!(7.85),
);
pub(crate) const B_USBC: Article = (
    "BL-CON-0817",
    "EK-3003",
    "USB-C receptacle, 24-pin, SMT",
    Unit::Piece,
    dec!(0.62),
);
pub(crate) const B_TFT: Article = (
    "BL-DSP-2040",
    "EK-3004",
    "TFT display 2.4\", 320 x 240, SPI",
    Unit::Piece,
    dec!(14.20),
);
pub(crate) const B_SENSOR: Article = (
    "BL-SEN-3302",
    "EK-3005",
    "Pressure sensor 0-10 bar, I²C, ratiometric",
    Unit::Piece,
    dec!(38.50),
);
pub(crate) const B_MLCC: Article = (
    "BL-CAP-1010",
    "EK-3006",
    "MLCC 10 µF 25 V X7R 0805, reel of 3000",
    Unit::Roll,
    dec!(96.00),
);

// Atelier Dubois (cases and front panels).
pub(crate) const D_CASE: Article = (
    "AD-MT-120",
    "MG-4001",
    "Mallette de transport sur mesure, mousse découpée",
    Unit::Piece,
    dec!(145.00),
);
pub(crate) const D_PANEL: Article = (
    "AD-FP-210",
    "MG-4002",
    "Face avant aluminium anodisé, gravure laser",
    Unit::Piece,
    dec!(36.40),
);
pub(crate) const D_POUCH: Article = (
    "AD-ET-033",
    "MG-4003",
    "Étui cuir pour appareil portable, noir",
    Unit::Piece,
    dec!(58.90),
);

// Schmidt Industriebedarf (workshop supplies).
pub(crate) const S_GLOVES: Article = (
    "SIB-884120",
    "IB-5001",
    "Schutzhandschuhe Nitril, Gr. 9, 100 St.",
    Unit::Pack,
    dec!(12.90),
);
pub(crate) const S_SCREWS: Article = (
    "SIB-310552",
    "IB-5002",
    "Zylinderschraube ISO 4762 M4x12, A2, 100 St.",
    Unit::Pack,
    dec!(7.35),
);
pub(crate) const S_IPA: Article = (
    "SIB-657001",
    "IB-5003",
    "Isopropanol 99,9 %, 5 l",
    Unit::Canister,
    dec!(34.80),
);
pub(crate) const S_TORQUE: Article = (
    "SIB-220418",
    "IB-5004",
    "Drehmomentschraubendreher 0,4-2,0 Nm",
    Unit::Piece,
    dec!(118.00),
);

// Müller Präzisionsteile (machined parts).
pub(crate) const M_BASE: Article = (
    "MP-4711-02",
    "MG-6001",
    "Gehäuseunterteil AlMg3, gefräst, eloxiert",
    Unit::Piece,
    dec!(48.60),
);
pub(crate) const M_LID: Article = (
    "MP-4712-01",
    "MG-6002",
    "Gehäusedeckel AlMg3, gefräst, eloxiert",
    Unit::Piece,
    dec!(31.20),
);
pub(crate) const M_HOLDER: Article = (
    "MP-5230-00",
    "MG-6003",
    "Sensorhalter 1.4305, gedreht, Ø 18 mm",
    Unit::Piece,
    dec!(9.85),
);
