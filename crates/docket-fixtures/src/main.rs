//! `docket-fixtures --out DIR`: writes Docket's fixtures (ERP data, inbox
//! documents, expected decisions, README) into DIR (default `fixtures`).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut out = PathBuf::from("fixtures");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" | "-o" => {
                out = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or_else(|| anyhow::anyhow!("--out needs a directory"))?;
            }
            "--help" | "-h" => {
                println!("usage: docket-fixtures [--out DIR]   (default: fixtures)");
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let files = docket_fixtures::write_all(&out)?;
    for f in &files {
        println!("{:>8}  {}", f.bytes.len(), out.join(&f.path).display());
    }
    println!("{} files written to {}", files.len(), out.display());
    Ok(())
}
