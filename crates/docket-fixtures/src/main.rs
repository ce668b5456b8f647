//! `docket-fixtures --out DIR`: writes Docket's fixtures (ERP data, inbox
//! documents, expected decisions, README) into DIR (default `fixtures`).
//!
//! `docket-fixtures --bulk N [--seed S] --out DIR`: writes a seeded bulk set of
//! N documents with its ERP and expected decisions into DIR (never `fixtures`).

use std::path::{Path, PathBuf};
use std::time::Instant;

const USAGE: &str = "usage: docket-fixtures [--out DIR]   (default: fixtures)
       docket-fixtures --bulk N [--seed S] --out DIR   (seed default 1; DIR must not be fixtures/)";

struct Args {
    out: Option<PathBuf>,
    bulk: Option<usize>,
    seed: u64,
}

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    flag: &str,
) -> anyhow::Result<T> {
    let text = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
    text.parse()
        .map_err(|_| anyhow::anyhow!("{flag}: {text:?} is not valid"))
}

fn parse() -> anyhow::Result<Option<Args>> {
    let mut parsed = Args {
        out: None,
        bulk: None,
        seed: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" | "-o" => parsed.out = Some(value(&mut args, "--out")?),
            "--bulk" => parsed.bulk = Some(value(&mut args, "--bulk")?),
            "--seed" => parsed.seed = value(&mut args, "--seed")?,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => anyhow::bail!("unknown argument {other:?} (try --help)"),
        }
    }
    Ok(Some(parsed))
}

/// Refuses the repository's committed fixtures (or any folder holding the
/// generator's README), so a bulk run cannot overwrite them.
fn check_bulk_target(out: &Path) -> anyhow::Result<()> {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let same = match (out.canonicalize(), committed.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap_or_default();
    anyhow::ensure!(
        !same && !readme.starts_with("# Docket fixtures"),
        "{} holds the committed fixtures; write bulk sets elsewhere",
        out.display()
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let Some(args) = parse()? else {
        return Ok(());
    };
    if let Some(n) = args.bulk {
        let out = args
            .out
            .ok_or_else(|| anyhow::anyhow!("--bulk needs --out DIR (not fixtures/)"))?;
        check_bulk_target(&out)?;
        let started = Instant::now();
        let world = docket_fixtures::bulk::world(n, args.seed)?;
        let files = docket_fixtures::bulk::files(&world)?;
        docket_fixtures::write_files(&out, &files)?;
        println!("{}", docket_fixtures::bulk::summary(&world));
        println!(
            "{n} documents (seed {}), {} files written to {} in {:.2} s",
            args.seed,
            files.len(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let out = args.out.unwrap_or_else(|| PathBuf::from("fixtures"));
    let files = docket_fixtures::write_all(&out)?;
    for f in &files {
        println!("{:>8}  {}", f.bytes.len(), out.join(&f.path).display());
    }
    println!("{} files written to {}", files.len(), out.display());
    Ok(())
}
