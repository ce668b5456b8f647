//! Docket's fixture generator.
//!
//! One scenario description ([`scenarios`]) yields the sandbox ERP's records
//! (`erp/*.json`), the supplier documents in `inbox/` (PDFs in six suppliers'
//! layouts, a Factur-X hybrid, a UBL invoice and a PDF by e-mail, a damaged
//! PDF), the decisions Docket must reach (`expected.json`) and a README. Output
//! is byte-for-byte deterministic; `tests/freshness.rs` checks that the
//! committed `fixtures/` are what this crate generates.
//!
//! [`bulk`] builds larger, seeded sets from the same suppliers, layouts and
//! writers (for benchmarks and fault tests), written anywhere but `fixtures/`.

pub mod bulk;
pub mod einvoice;
pub mod erp;
pub mod fmt;
pub mod mail;
pub mod model;
pub mod pdf;
mod readme;
pub mod scenarios;

use std::collections::BTreeMap;
use std::path::Path;

use model::View;
use scenarios::{Case, Channel, World};

/// One generated file: its path relative to the output directory, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path with `/` separators, e.g. `inbox/01-exact-match.pdf`.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The directories under the output directory that belong to the generator.
pub const OWNED_DIRS: [&str; 2] = ["erp", "inbox"];

/// The Factur-X attachment of a case's PDF.
pub fn facturx_attachment(view: &View) -> pdf::Attachment {
    pdf::Attachment {
        name: "factur-x.xml",
        mime: "text/xml",
        description: "Factur-X invoice (EN 16931)",
        relationship: "Data",
        data: einvoice::cii::invoice(view).into_bytes(),
        xmp: einvoice::xmp::facturx(view),
    }
}

/// The readable PDF of a case (for the damaged case: before the damage).
pub fn invoice_pdf(view: &View) -> anyhow::Result<Vec<u8>> {
    match view.case.channel {
        Channel::FacturX => pdf::render(view, Some(&facturx_attachment(view))),
        _ => pdf::render(view, None),
    }
}

/// Cuts a PDF off half-way and overwrites a stretch of its body with noise.
pub fn damage(pdf: &[u8]) -> Vec<u8> {
    let mut bytes = pdf[..pdf.len() / 2].to_vec();
    let (from, to) = (bytes.len() * 3 / 5, bytes.len() * 3 / 5 + 400);
    let mut state: u32 = 0x2026_1110;
    for b in bytes.iter_mut().take(to).skip(from) {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (state >> 16) as u8;
    }
    bytes
}

/// The bytes of a case's inbox file.
pub fn inbox_file(world: &World, case: &Case) -> anyhow::Result<Vec<u8>> {
    let view = View::new(world, case)?;
    Ok(match case.channel {
        Channel::None => anyhow::bail!("{} is not in the inbox", case.invoice.number),
        Channel::Pdf | Channel::FacturX => invoice_pdf(&view)?,
        Channel::DamagedPdf => damage(&invoice_pdf(&view)?),
        Channel::UblMail => mail::ubl_mail(&view, &einvoice::ubl::invoice(&view)),
        Channel::Ubl => einvoice::ubl::invoice(&view).into_bytes(),
        Channel::PdfMail => mail::pdf_mail(&view, &invoice_pdf(&view)?),
    })
}

/// Everything the generator writes, in a stable order.
pub fn generate() -> anyhow::Result<Vec<OutputFile>> {
    let world = World::new();
    let mut files = Vec::new();
    for (name, bytes) in erp::files(&world)? {
        files.push(OutputFile {
            path: format!("erp/{name}"),
            bytes,
        });
    }
    let mut expected = BTreeMap::new();
    for case in world.inbox() {
        files.push(OutputFile {
            path: format!("inbox/{}", case.file),
            bytes: inbox_file(&world, case)?,
        });
        if let Some(decision) = case.expected {
            expected.insert(case.file, decision.as_str());
        }
    }
    files.push(OutputFile {
        path: "expected.json".to_string(),
        bytes: erp::json(&expected)?,
    });
    files.push(OutputFile {
        path: "README.md".to_string(),
        bytes: readme::render(&world)?.into_bytes(),
    });
    Ok(files)
}

/// Generates into `out`, removing files in the generator's own directories that
/// it no longer produces; returns what it wrote.
pub fn write_all(out: &Path) -> anyhow::Result<Vec<OutputFile>> {
    let files = generate()?;
    write_files(out, &files)?;
    Ok(files)
}

/// Writes `files` under `out`, first removing files in [`OWNED_DIRS`] that are
/// not among them (so a smaller set leaves no stale documents behind).
pub fn write_files(out: &Path, files: &[OutputFile]) -> anyhow::Result<()> {
    let wanted: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for dir in OWNED_DIRS {
        let dir = out.join(dir);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let rel = format!(
                "{}/{}",
                dir.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                entry.file_name().to_string_lossy()
            );
            if entry.file_type()?.is_file() && !wanted.contains(rel.as_str()) {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    for f in files {
        let path = out.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &f.bytes)?;
    }
    Ok(())
}
