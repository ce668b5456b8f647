//! `docket schemas`: writes or checks `schemas/*.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

/// Arguments of `docket schemas`.
#[derive(Args)]
pub struct SchemaArgs {
    /// Folder to write to.
    #[arg(long, default_value = "schemas")]
    out: PathBuf,
    /// Only check that the files are up to date; exit 1 when they are not.
    #[arg(long)]
    check: bool,
}

/// Runs the command.
pub fn run(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    let mut stale = Vec::new();
    let generated = docket_domain::schema::all()
        .into_iter()
        .chain(docket_llm::schema::files());
    for (name, text) in generated {
        let path = args.out.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if args.check {
            stale.push(path.display().to_string());
        } else {
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("stale schemas (run `docket schemas`): {}", stale.join(", "));
        Ok(ExitCode::from(1))
    }
}
