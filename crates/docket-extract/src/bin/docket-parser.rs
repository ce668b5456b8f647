//! `docket-parser`: a parser process and nothing else, for this crate's own
//! tests and benchmarks (`docket parser-child` is the same in the product).

fn main() -> std::process::ExitCode {
    docket_extract::isolate::serve_child()
}
